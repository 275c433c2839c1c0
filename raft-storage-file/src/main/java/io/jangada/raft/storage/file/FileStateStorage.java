package io.jangada.raft.storage.file;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.StateStorage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The hard state (term, vote, commit) in one small file replaced atomically by {@link MetaFile}:
 * {@code term i64 | commit i64 | vote length i32 (-1 for none) | vote UTF-8}. Thread-safe.
 */
final class FileStateStorage implements StateStorage {

  static final String FILE_NAME = "state";
  static final int MAGIC = 0x4A47_4853; // "JGHS"

  private final FileIo io;
  private final Path file;
  private HardState current;

  private FileStateStorage(FileIo io, Path file, HardState current) {
    this.io = io;
    this.file = file;
    this.current = current;
  }

  /** Opens the state file in {@code dir}, removing a temporary file left by a crash. */
  static FileStateStorage open(FileIo io, Path dir, boolean readOnly) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (!readOnly) {
      io.delete(file.resolveSibling(FILE_NAME + MetaFile.TMP_SUFFIX));
    }
    return new FileStateStorage(io, file, read(io, file));
  }

  static HardState read(FileIo io, Path file) throws IOException {
    Optional<byte[]> payload = MetaFile.read(io, file, MAGIC);
    if (payload.isEmpty()) {
      return HardState.INITIAL;
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(payload.get());
      long term = b.getLong();
      long commit = b.getLong();
      int voteLength = b.getInt();
      Optional<NodeId> vote = Optional.empty();
      if (voteLength >= 0) {
        byte[] vote8 = new byte[voteLength];
        b.get(vote8);
        vote = Optional.of(new NodeId(new String(vote8, StandardCharsets.UTF_8)));
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes");
      }
      return new HardState(term, vote, commit);
    } catch (RuntimeException e) {
      throw new IOException("corrupt file " + file + " at offset 0: " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized HardState load() {
    return current;
  }

  @Override
  public synchronized void save(HardState state) throws IOException {
    Objects.requireNonNull(state, "state");
    if (state.equals(current)) {
      return; // already durable
    }
    byte[] vote =
        state.votedFor().map(id -> id.value().getBytes(StandardCharsets.UTF_8)).orElse(null);
    ByteBuffer b = ByteBuffer.allocate(20 + (vote == null ? 0 : vote.length));
    b.putLong(state.term()).putLong(state.commit()).putInt(vote == null ? -1 : vote.length);
    if (vote != null) {
      b.put(vote);
    }
    MetaFile.write(io, file, MAGIC, b.array());
    current = state;
  }
}
