package io.jangada.raft.storage.file;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A segment file name: {@code log-<first>.open} for the segment being appended, {@code
 * log-<first>-<last>.seg} for a closed one (indexes zero-padded to 20 digits, so names sort in log
 * order).
 *
 * @param first the first index the segment holds
 * @param last the last index of a closed segment; empty for an open one
 */
record SegmentName(long first, Optional<Long> last) {

  private static final Pattern OPEN = Pattern.compile("log-(\\d{20})\\.open");
  private static final Pattern CLOSED = Pattern.compile("log-(\\d{20})-(\\d{20})\\.seg");

  static SegmentName open(long first) {
    return new SegmentName(first, Optional.empty());
  }

  static SegmentName closed(long first, long last) {
    return new SegmentName(first, Optional.of(last));
  }

  boolean isOpen() {
    return last.isEmpty();
  }

  String fileName() {
    return last.map(l -> String.format("log-%020d-%020d.seg", first, l))
        .orElseGet(() -> String.format("log-%020d.open", first));
  }

  /** Parses a file name; empty if it is not a segment name. */
  static Optional<SegmentName> parse(Path file) {
    String name = file.getFileName().toString();
    Matcher m = OPEN.matcher(name);
    if (m.matches()) {
      return Optional.of(open(Long.parseLong(m.group(1))));
    }
    m = CLOSED.matcher(name);
    if (m.matches()) {
      return Optional.of(closed(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return fileName();
  }
}
