package io.jangada.raft.storage.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.SnapshotStorage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshot metadata keeps the whole configuration: joint state, addresses, its entry index. */
class SnapshotMembershipTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");

  @TempDir Path dir;

  /** A joint configuration with addresses and its entry index survives a reopen. */
  @Test
  void jointConfigurationWithAddressesSurvivesReopen() throws IOException {
    TreeMap<NodeId, String> addresses = new TreeMap<>();
    addresses.put(N1, "127.0.0.1:7101");
    addresses.put(N4, "127.0.0.1:7104");
    Membership joint =
        new Membership(
            new TreeSet<>(List.of(N1, N2, N4)),
            new TreeSet<>(List.of(N3)),
            new TreeSet<>(List.of(N1, N2, N3)),
            addresses);
    SnapshotMeta meta = new SnapshotMeta(42, 7, joint, 40);
    try (FileStorage storage = FileStorage.open(dir)) {
      try (SnapshotStorage.Sink sink = storage.snapshots().create(meta)) {
        sink.stream().write("state".getBytes(StandardCharsets.UTF_8));
        sink.commit();
      }
    }
    try (FileStorage storage = FileStorage.open(dir)) {
      SnapshotMeta read = storage.snapshots().latest().orElseThrow();
      assertThat(read).isEqualTo(meta);
      assertThat(read.membership().isJoint()).isTrue();
      assertThat(read.membership().address(N4)).contains("127.0.0.1:7104");
      assertThat(read.membershipIndex()).isEqualTo(40);
      try (InputStream in = storage.snapshots().open(read)) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("state");
      }
    }
  }

  /**
   * A snapshot written in the version-1 format (before configurations had addresses, joint state
   * and an entry index) is still read, with membership index 0.
   */
  @Test
  void versionOneSnapshotIsStillRead() throws IOException {
    SnapshotMeta meta = new SnapshotMeta(10, 2, Membership.ofVoters(N1, N2));
    try (FileStorage storage = FileStorage.open(dir)) {
      assertThat(storage.snapshots().latest()).isEmpty(); // creates the directory layout
    }
    byte[] membership = versionOneMembership(N1, N2);
    byte[] data = "old state".getBytes(StandardCharsets.UTF_8);
    ByteBuffer file = ByteBuffer.allocate(26 + membership.length + 4 + data.length + 16);
    file.putInt(0x4A47_534E).putShort((short) 1).putLong(10).putLong(2);
    file.putInt(membership.length).put(membership);
    file.putInt(RecordFormat.crc(file.array(), 0, file.position()));
    file.put(data);
    CRC32C crc = new CRC32C();
    crc.update(data);
    file.putLong(data.length).putInt((int) crc.getValue()).putInt(0x4A47_5345);
    Files.write(dir.resolve("snapshots").resolve(SnapshotDir.fileName(meta)), file.array());
    try (FileStorage storage = FileStorage.open(dir)) {
      assertThat(storage.snapshots().latest()).isEqualTo(Optional.of(meta));
      try (InputStream in = storage.snapshots().open(meta)) {
        assertThat(in.readAllBytes()).isEqualTo(data);
      }
    }
  }

  private static byte[] versionOneMembership(NodeId... voters) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeInt(voters.length);
      for (NodeId id : voters) {
        out.writeUTF(id.value());
      }
      out.writeInt(0); // no learners
    }
    return bytes.toByteArray();
  }
}
