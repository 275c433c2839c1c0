package io.jangada.raft.storage.file;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.StorageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Inspects a {@link FileStorage} data directory without changing it. Run it on a stopped node:
 *
 * <pre>
 * java -cp raft-core.jar:raft-storage-file.jar:slf4j-api.jar io.jangada.raft.storage.file.DumpTool \
 *     verify DIR
 * ... DumpTool dump DIR [--from N] [--limit N]
 * </pre>
 *
 * {@code verify} prints the identity (cluster and node id), the segments with their index ranges,
 * the hard state and the snapshots, reads every entry back, and reports any corruption with its
 * file and offset, a term/vote file that is missing or older than the log or snapshot, and a log
 * that starts after the newest snapshot (a lost snapshot file: a Raft node refuses to start).
 * {@code dump} also prints entries. It opens every file for reading only, so it needs no write
 * permission and changes nothing. Exit code 0 when the storage is sound, 1 on corruption or such an
 * inconsistency, 2 on bad usage or a directory it cannot read (permission denied, say).
 */
public final class DumpTool {

  private DumpTool() {}

  /** Runs the tool and exits with its status code. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the tool; returns the exit code (0 sound, 1 corrupt, 2 usage or unreadable). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(RealFileIo.INSTANCE, args, out, err);
  }

  static int run(FileIo io, String[] args, PrintStream out, PrintStream err) {
    if (args.length < 2 || !(args[0].equals("verify") || args[0].equals("dump"))) {
      err.println("usage: DumpTool verify <dir> | dump <dir> [--from N] [--limit N]");
      return 2;
    }
    boolean dump = args[0].equals("dump");
    Path dir = Path.of(args[1]);
    long from = -1;
    long limit = Long.MAX_VALUE;
    try {
      for (int i = 2; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value after " + args[i]);
        }
        long value = Long.parseLong(args[i + 1]);
        switch (args[i]) {
          case "--from" -> from = value;
          case "--limit" -> limit = value;
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
    } catch (IllegalArgumentException e) {
      err.println("usage error: " + e.getMessage());
      return 2;
    }
    try {
      if (!isDirectory(io, dir)) {
        err.println("not a directory: " + dir);
        return 2;
      }
      return inspect(new ReadOnlyFileIo(io), dir, dump, from, limit, out);
    } catch (FileSystemException e) {
      // The file system refused (permissions, an I/O error): no verdict on the content.
      err.println("error: cannot read " + describe(e));
      return 2;
    } catch (IOException | StorageException e) {
      err.println("CORRUPT: " + e.getMessage());
      return 1;
    }
  }

  private static int inspect(
      FileIo io, Path dir, boolean dump, long from, long limit, PrintStream out)
      throws IOException {
    out.println("data directory " + dir.toAbsolutePath());
    if (DirectoryLock.isHeld(dir)) {
      out.println(
          "note: a node has this directory open (its LOCK is held): its newest entries may change"
              + " while they are read; stop the node for a reliable verdict");
    }
    out.println(
        IdentityFile.read(io, dir)
            .map(id -> "identity: cluster=" + id.clusterId() + " node=" + id.nodeId())
            .orElse("identity: none recorded"));
    boolean stateFileExists = io.exists(dir.resolve(FileStateStorage.FILE_NAME));
    HardState state = FileStateStorage.read(io, dir.resolve(FileStateStorage.FILE_NAME));
    out.println(
        "hard state: term="
            + state.term()
            + " vote="
            + state.votedFor().map(Object::toString).orElse("-")
            + " commit="
            + state.commit()
            + (stateFileExists ? "" : " (no state file)"));
    Optional<SnapshotMeta> newest = Optional.empty();
    Path snapDir = dir.resolve("snapshots");
    if (isDirectory(io, snapDir)) {
      SnapshotDir snapshots = SnapshotDir.open(io, snapDir, Integer.MAX_VALUE, true);
      newest = snapshots.latest();
      for (SnapshotDir.Stored s : snapshots.list()) {
        out.println(
            "snapshot "
                + s.path().getFileName()
                + " index="
                + s.meta().index()
                + " term="
                + s.meta().term()
                + " "
                + s.meta().membership()
                + " bytes="
                + s.dataLength());
        try (var in = snapshots.open(s.meta())) {
          in.transferTo(java.io.OutputStream.nullOutputStream()); // verifies the checksum
        }
      }
    }
    Path logDir = dir.resolve("log");
    if (!isDirectory(io, logDir)) {
      out.println("no log");
      return consistent(dir, stateFileExists, state, 1, 0, 0, newest, out);
    }
    try (SegmentedLog log = SegmentedLog.open(io, logDir, Long.MAX_VALUE, 0, true)) {
      for (String note : log.recoveryNotes()) {
        out.println("recovery would: " + note);
      }
      for (String segment : log.describeSegments()) {
        out.println("segment " + segment);
      }
      long first = log.firstIndex();
      long last = log.lastIndex();
      out.println(
          "log: first=" + first + " last=" + last + " term(first-1)=" + log.term(first - 1));
      long start = dump && from >= 0 ? Math.max(from, first) : first;
      long printed = 0;
      for (long i = start; i <= last; ) {
        List<LogEntry> batch = log.entries(i, last + 1, 4 << 20);
        for (LogEntry e : batch) {
          if (dump && printed < limit) {
            out.println(e.index() + "/" + e.term() + " " + e.type() + " " + e.data());
            printed++;
          }
        }
        i += batch.size();
        if (dump && printed >= limit) {
          break;
        }
      }
      return consistent(dir, stateFileExists, state, first, last, log.term(last), newest, out);
    }
  }

  /**
   * Whether {@code path} is a directory; throws (rather than answer false, as {@link
   * Files#isDirectory} does) if the file system cannot tell, so that a directory this process may
   * not search never passes for a missing one.
   */
  private static boolean isDirectory(FileIo io, Path path) throws IOException {
    return io.exists(path) && Files.isDirectory(path);
  }

  /** {@code file: reason}, with a reason also where the JDK gives none (access denied). */
  static String describe(FileSystemException e) {
    if (e.getReason() != null) {
      return e.getMessage();
    }
    String what =
        e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
    return e.getFile() + ": " + what;
  }

  private static int consistent(
      Path dir,
      boolean stateFileExists,
      HardState state,
      long first,
      long last,
      long lastTerm,
      Optional<SnapshotMeta> snapshot,
      PrintStream out) {
    Optional<String> problem =
        DataDirCheck.consistency(dir, stateFileExists, state, first, last, lastTerm, snapshot)
            .or(() -> DataDirCheck.snapshotCoverage(dir, first, snapshot));
    if (problem.isPresent()) {
      out.println("INCONSISTENT: " + problem.get());
      return 1;
    }
    out.println("OK");
    return 0;
  }
}
