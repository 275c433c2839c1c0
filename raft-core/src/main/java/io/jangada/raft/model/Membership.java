package io.jangada.raft.model;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A cluster configuration: the voters (who elect leaders and form quorums) and the learners (who
 * receive the log but never vote or count toward a quorum). Immutable; both sets iterate in {@link
 * NodeId} order.
 */
public record Membership(SortedSet<NodeId> voters, SortedSet<NodeId> learners) {

  private static final byte FORMAT_VERSION = 1;

  /**
   * @throws IllegalArgumentException if there are no voters or a node is both voter and learner
   */
  public Membership {
    voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
    learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
    if (voters.isEmpty()) {
      throw new IllegalArgumentException("membership needs at least one voter");
    }
    for (NodeId learner : learners) {
      if (voters.contains(learner)) {
        throw new IllegalArgumentException(
            "node " + learner + " cannot be both a voter and a learner");
      }
    }
  }

  /**
   * A configuration of voters only.
   *
   * @throws IllegalArgumentException if {@code voters} is empty or names a node twice
   */
  public static Membership ofVoters(Collection<NodeId> voters) {
    TreeSet<NodeId> set = new TreeSet<>();
    for (NodeId id : voters) {
      if (!set.add(Objects.requireNonNull(id, "voter"))) {
        throw new IllegalArgumentException("duplicate node id in membership: " + id);
      }
    }
    return new Membership(set, new TreeSet<>());
  }

  /** A configuration of voters only. */
  public static Membership ofVoters(NodeId... voters) {
    return ofVoters(java.util.List.of(voters));
  }

  /** Whether {@code id} is a voter or a learner. */
  public boolean contains(NodeId id) {
    return voters.contains(id) || learners.contains(id);
  }

  /** Whether {@code id} is a voter. */
  public boolean isVoter(NodeId id) {
    return voters.contains(id);
  }

  /** Voters and learners, in id order. */
  public SortedSet<NodeId> members() {
    TreeSet<NodeId> all = new TreeSet<>(voters);
    all.addAll(learners);
    return Collections.unmodifiableSortedSet(all);
  }

  /** The stable binary form stored in {@link EntryType#MEMBERSHIP} entries and snapshots. */
  public Bytes encode() {
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(buffer);
      out.writeByte(FORMAT_VERSION);
      writeSet(out, voters);
      writeSet(out, learners);
      out.flush();
      return Bytes.wrapUnsafe(buffer.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen with an in-memory stream
    }
  }

  /**
   * The inverse of {@link #encode()}.
   *
   * @throws IllegalArgumentException if {@code data} is not a valid encoding
   */
  public static Membership decode(Bytes data) {
    try {
      DataInputStream in =
          new DataInputStream(new java.io.ByteArrayInputStream(data.toByteArray()));
      byte version = in.readByte();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException("unknown membership format version " + version);
      }
      SortedSet<NodeId> voters = readSet(in);
      SortedSet<NodeId> learners = readSet(in);
      if (in.available() != 0) {
        throw new IllegalArgumentException("trailing bytes after membership");
      }
      return new Membership(voters, learners);
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated membership encoding", e);
    }
  }

  private static void writeSet(DataOutputStream out, SortedSet<NodeId> ids) throws IOException {
    out.writeInt(ids.size());
    for (NodeId id : ids) {
      out.writeUTF(id.value());
    }
  }

  private static SortedSet<NodeId> readSet(DataInputStream in) throws IOException {
    int size = in.readInt();
    if (size < 0 || size > 10_000) {
      throw new IllegalArgumentException("bad membership size " + size);
    }
    TreeSet<NodeId> ids = new TreeSet<>();
    for (int i = 0; i < size; i++) {
      ids.add(new NodeId(in.readUTF()));
    }
    return ids;
  }

  @Override
  public String toString() {
    return learners.isEmpty() ? "voters=" + voters : "voters=" + voters + " learners=" + learners;
  }
}
