package io.jangada.raft.storage;

/**
 * An unchecked storage failure raised through {@link LogReader}, whose methods are called from the
 * pure core and cannot declare {@link java.io.IOException}. Fatal for the node.
 */
public class StorageException extends RuntimeException {

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public StorageException(String message) {
    super(message);
  }
}
