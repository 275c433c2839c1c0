package io.jangada.raft.storage.file;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.SnapshotMeta;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The checks that tie a data directory's parts together, run by {@link FileStorage#open} and by
 * {@link DumpTool}: the directory belongs to the expected node and cluster, and the term/vote file
 * agrees with the log and the snapshots. Raft writes the term before any entry or snapshot of that
 * term, so a missing state file beside data, or data from a term above the stored one, means the
 * state file was lost or replaced: a node starting from it could vote twice in one term.
 */
final class DataDirCheck {

  private DataDirCheck() {}

  /**
   * Checks the recorded identity of {@code dir} against {@code expected}; records it if the
   * directory holds no Raft data yet.
   *
   * @throws IOException naming both identities if they differ, or if the directory holds data but
   *     no identity
   */
  static void identity(FileIo io, Path dir, DataDirIdentity expected) throws IOException {
    Optional<DataDirIdentity> recorded = IdentityFile.read(io, dir);
    if (recorded.isPresent()) {
      if (!recorded.get().equals(expected)) {
        throw new IOException(
            "data directory "
                + dir.toAbsolutePath()
                + " belongs to "
                + recorded.get()
                + ", not to "
                + expected
                + " as configured: refusing to open it (was it swapped with another node's, or is"
                + " the node or cluster id wrong?)");
      }
      return;
    }
    if (holdsData(io, dir)) {
      throw new IOException(
          "data directory "
              + dir.toAbsolutePath()
              + " holds Raft data but no "
              + IdentityFile.FILE_NAME
              + " file, so it cannot be shown to belong to "
              + expected
              + ": refusing to open it");
    }
    IdentityFile.write(io, dir, expected);
  }

  /** Whether {@code dir} holds a state file, log segments or snapshots. */
  static boolean holdsData(FileIo io, Path dir) throws IOException {
    return io.exists(dir.resolve(FileStateStorage.FILE_NAME))
        || nonEmpty(io, dir.resolve("log"))
        || nonEmpty(io, dir.resolve("snapshots"));
  }

  private static boolean nonEmpty(FileIo io, Path sub) throws IOException {
    return io.exists(sub) && !io.list(sub).isEmpty();
  }

  /**
   * What is wrong between the hard state and the log and snapshot, if anything.
   *
   * @param stateFileExists whether the state file exists ({@code state} is then what it holds)
   * @param lastIndex the log's last index ({@code firstIndex - 1} if it holds no entry)
   * @param lastTerm the term of the entry at {@code lastIndex} (of the compaction point if empty)
   */
  static Optional<String> consistency(
      Path dir,
      boolean stateFileExists,
      HardState state,
      long firstIndex,
      long lastIndex,
      long lastTerm,
      Optional<SnapshotMeta> snapshot) {
    boolean logHoldsData = lastIndex > 0 || firstIndex > 1;
    String where = "data directory " + dir.toAbsolutePath() + ": ";
    if (!stateFileExists && (logHoldsData || snapshot.isPresent())) {
      return Optional.of(
          where
              + "the term/vote file '"
              + FileStateStorage.FILE_NAME
              + "' is missing but the log ends at index "
              + lastIndex
              + " (term "
              + lastTerm
              + ")"
              + snapshot.map(m -> " and a snapshot at index " + m.index() + " exists").orElse("")
              + ": starting from term 0 could vote twice in a term. Restore the file, or rebuild"
              + " this node's data directory");
    }
    if (lastTerm > state.term()) {
      return Optional.of(
          where
              + "the log ends at index "
              + lastIndex
              + " of term "
              + lastTerm
              + " but the term/vote file holds the older term "
              + state.term()
              + ": the file is stale or from another directory. Restore the right file, or rebuild"
              + " this node's data directory");
    }
    if (snapshot.isPresent() && snapshot.get().term() > state.term()) {
      return Optional.of(
          where
              + "the snapshot at index "
              + snapshot.get().index()
              + " is of term "
              + snapshot.get().term()
              + " but the term/vote file holds the older term "
              + state.term()
              + ": the file is stale or from another directory");
    }
    return Optional.empty();
  }

  /**
   * Whether the log starts after the newest snapshot (checked by {@link DumpTool}; a Raft node
   * refuses such a directory when it starts). The storage allows it, since compacting is the
   * caller's business, but under Raft the log is compacted only up to a snapshot: the entries in
   * between exist nowhere on this node, so a snapshot file was lost.
   */
  static Optional<String> snapshotCoverage(
      Path dir, long firstIndex, Optional<SnapshotMeta> snapshot) {
    String where = "data directory " + dir.toAbsolutePath() + ": ";
    long compacted = firstIndex - 1;
    long covered = snapshot.map(SnapshotMeta::index).orElse(0L);
    if (compacted > covered) {
      return Optional.of(
          where
              + "the log starts after index "
              + compacted
              + " but no snapshot covers it ("
              + snapshot.map(m -> "the newest is at index " + m.index()).orElse("none is left")
              + "): a snapshot file was lost. Restore it, or rebuild this node's data directory");
    }
    return Optional.empty();
  }
}
