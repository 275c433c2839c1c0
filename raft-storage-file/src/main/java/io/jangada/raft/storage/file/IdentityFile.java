package io.jangada.raft.storage.file;

import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code identity} file of a data directory: the {@link DataDirIdentity} it belongs to, in a
 * {@link MetaFile} ({@code cluster id length u16 | cluster id UTF-8 | node id length u16 | node id
 * UTF-8}). Written once, before anything else, when the directory is first opened.
 */
final class IdentityFile {

  static final String FILE_NAME = "identity";
  private static final int MAGIC = 0x4A47_4944; // "JGID"

  private IdentityFile() {}

  /** The identity recorded in {@code dir}, or empty if there is none. */
  static Optional<DataDirIdentity> read(FileIo io, Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    Optional<byte[]> payload = MetaFile.read(io, file, MAGIC);
    if (payload.isEmpty()) {
      return Optional.empty();
    }
    try {
      ByteBuffer b = ByteBuffer.wrap(payload.get());
      String cluster = string(b);
      String node = string(b);
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes");
      }
      return Optional.of(new DataDirIdentity(cluster, NodeId.of(node)));
    } catch (RuntimeException e) {
      throw new IOException("corrupt file " + file + " at offset 0: " + e.getMessage(), e);
    }
  }

  /** Records {@code identity} in {@code dir}; durable on return. */
  static void write(FileIo io, Path dir, DataDirIdentity identity) throws IOException {
    byte[] cluster = identity.clusterId().getBytes(StandardCharsets.UTF_8);
    byte[] node = identity.nodeId().value().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + cluster.length + node.length);
    b.putShort((short) cluster.length).put(cluster).putShort((short) node.length).put(node);
    MetaFile.write(io, dir.resolve(FILE_NAME), MAGIC, b.array());
  }

  private static String string(ByteBuffer b) {
    int length = Short.toUnsignedInt(b.getShort());
    byte[] bytes = new byte[length];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
