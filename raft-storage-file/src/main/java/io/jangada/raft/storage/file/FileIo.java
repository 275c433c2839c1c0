package io.jangada.raft.storage.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The file-system operations the storage uses, so that tests can inject faults (a crash at the k-th
 * write or force, lost unforced writes, torn writes). Every mutating operation is a possible crash
 * point. {@link RealFileIo} is the production implementation.
 */
interface FileIo {

  /** Opens an existing file for reading and writing. */
  IoFile open(Path path) throws IOException;

  /**
   * Opens an existing file for reading only, as tools that must change nothing do (it works on a
   * read-only directory); writing to it fails. By default {@link #open}.
   */
  default IoFile openForReading(Path path) throws IOException {
    return open(path);
  }

  /** Creates a new, empty file (failing if it exists) and opens it for reading and writing. */
  IoFile create(Path path) throws IOException;

  /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
  void rename(Path from, Path to) throws IOException;

  /** Deletes {@code path} if it exists. */
  void delete(Path path) throws IOException;

  /** Makes the directory's entries (creations, renames, deletions) durable. */
  void syncDirectory(Path dir) throws IOException;

  /** Creates {@code dir} and its parents if missing, durably. */
  void createDirectories(Path dir) throws IOException;

  /** The regular files directly in {@code dir}, sorted by name. */
  List<Path> list(Path dir) throws IOException;

  /** Whether {@code path} exists. */
  boolean exists(Path path) throws IOException;

  /** An open file. Positional reads are safe from several threads; writes from one thread. */
  interface IoFile extends Closeable {

    /** The current size in bytes. */
    long size() throws IOException;

    /** Reads up to {@code dst.remaining()} bytes at {@code position}; -1 at end of file. */
    int read(ByteBuffer dst, long position) throws IOException;

    /** Writes all remaining bytes of {@code src} at {@code position}. Not durable until force. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Cuts the file to {@code size} bytes. Not durable until force. */
    void truncate(long size) throws IOException;

    /** Makes the file's content and size durable (fdatasync). */
    void force() throws IOException;

    /** Reads exactly {@code dst.remaining()} bytes at {@code position}. */
    default void readFully(ByteBuffer dst, long position) throws IOException {
      long pos = position;
      while (dst.hasRemaining()) {
        int n = read(dst, pos);
        if (n < 0) {
          throw new java.io.EOFException("unexpected end of file at offset " + pos);
        }
        pos += n;
      }
    }
  }
}
