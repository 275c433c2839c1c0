package io.jangada.raft.examples.kv.server;

/**
 * A network endpoint written {@code host:port} (IPv4 address or host name; no IPv6 literals).
 * Immutable.
 */
public record HostPort(String host, int port) {

  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
  }

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException with a message naming the bad input
   */
  public static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + text + "'");
    }
    return new HostPort(text.substring(0, colon), parsePort(text.substring(colon + 1), text));
  }

  static int parsePort(String port, String context) {
    try {
      int value = Integer.parseInt(port);
      if (value < 0 || value > 65535) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port '" + port + "' in '" + context + "'");
    }
  }

  @Override
  public String toString() {
    return host + ":" + port;
  }
}
