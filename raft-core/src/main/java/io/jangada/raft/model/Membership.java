package io.jangada.raft.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A cluster configuration (Raft thesis §4): the voters, who elect leaders and form quorums; the
 * learners, who receive the log but never vote or count toward a quorum; and, only during a joint
 * change (thesis §4.3), the outgoing voters of the configuration being left, so that every decision
 * needs a majority of {@link #voters} and a majority of {@link #outgoingVoters}. Each member may
 * carry its network address, an opaque string (for example {@code "127.0.0.1:7101"}) that the
 * transport interprets, so that joining nodes and transports learn peers from the replicated log.
 *
 * <p>Immutable and validated; every set and the address map iterate in {@link NodeId} order, and
 * {@link #describe()} is stable text. The {@linkplain #empty() empty} configuration is the one of a
 * node that joins an existing cluster and has not yet learnt its configuration from the leader.
 *
 * <p>A node is in at most one of {@code voters} and {@code learners}. A node may be both an
 * outgoing voter and a learner: a voter being demoted, which keeps voting in the outgoing half
 * until the joint configuration is left.
 *
 * @param voters the voters (the incoming voters during a joint change)
 * @param learners the learners (after the joint change, if one is in progress)
 * @param outgoingVoters the voters of the configuration being left; empty unless joint
 * @param addresses the known address of each member; members without one are absent
 */
public record Membership(
    SortedSet<NodeId> voters,
    SortedSet<NodeId> learners,
    SortedSet<NodeId> outgoingVoters,
    SortedMap<NodeId, String> addresses) {

  private static final byte FORMAT_V1 = 1;
  private static final byte FORMAT_V2 = 2;
  private static final int MAX_MEMBERS = 10_000;
  private static final Membership EMPTY =
      new Membership(new TreeSet<>(), new TreeSet<>(), new TreeSet<>(), new TreeMap<>());

  /**
   * @throws IllegalArgumentException if there is no voter (unless the configuration is entirely
   *     empty), a node is both voter and learner, or an address is blank or names a non-member
   */
  public Membership {
    voters = Collections.unmodifiableSortedSet(new TreeSet<>(voters));
    learners = Collections.unmodifiableSortedSet(new TreeSet<>(learners));
    outgoingVoters = Collections.unmodifiableSortedSet(new TreeSet<>(outgoingVoters));
    addresses = Collections.unmodifiableSortedMap(new TreeMap<>(addresses));
    boolean empty =
        voters.isEmpty() && learners.isEmpty() && outgoingVoters.isEmpty() && addresses.isEmpty();
    if (voters.isEmpty() && !empty) {
      throw new IllegalArgumentException("membership needs at least one voter");
    }
    for (NodeId learner : learners) {
      if (voters.contains(learner)) {
        throw new IllegalArgumentException(
            "node " + learner + " cannot be both a voter and a learner");
      }
    }
    for (Map.Entry<NodeId, String> e : addresses.entrySet()) {
      NodeId id = e.getKey();
      if (!voters.contains(id) && !learners.contains(id) && !outgoingVoters.contains(id)) {
        throw new IllegalArgumentException("address given for non-member " + id);
      }
      String address = Objects.requireNonNull(e.getValue(), "address of " + id);
      if (address.isBlank()) {
        throw new IllegalArgumentException("blank address for " + id);
      }
    }
  }

  /**
   * A configuration of voters and learners, without addresses.
   *
   * @throws IllegalArgumentException as the canonical constructor
   */
  public Membership(SortedSet<NodeId> voters, SortedSet<NodeId> learners) {
    this(voters, learners, new TreeSet<>(), new TreeMap<>());
  }

  /**
   * The configuration of a node that joins an existing cluster: no voters, no learners. A node with
   * it never campaigns and follows whichever leader contacts it, until it learns its configuration
   * from the leader's log or snapshot.
   */
  public static Membership empty() {
    return EMPTY;
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
    if (set.isEmpty()) {
      throw new IllegalArgumentException("membership needs at least one voter");
    }
    return new Membership(set, new TreeSet<>());
  }

  /** A configuration of voters only. */
  public static Membership ofVoters(NodeId... voters) {
    return ofVoters(List.of(voters));
  }

  /** A builder for a simple (not joint) configuration. */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ queries

  /** Whether this is the empty configuration of a joining node. */
  public boolean isEmpty() {
    return voters.isEmpty();
  }

  /** Whether this is a joint configuration (a change between two sets of voters in progress). */
  public boolean isJoint() {
    return !outgoingVoters.isEmpty();
  }

  /** Whether {@code id} is a member: a voter (incoming or outgoing) or a learner. */
  public boolean contains(NodeId id) {
    return voters.contains(id) || learners.contains(id) || outgoingVoters.contains(id);
  }

  /** Whether {@code id} votes: it is a voter, or an outgoing voter during a joint change. */
  public boolean isVoter(NodeId id) {
    return voters.contains(id) || outgoingVoters.contains(id);
  }

  /** Whether {@code id} is a learner and does not vote (not even as an outgoing voter). */
  public boolean isLearner(NodeId id) {
    return learners.contains(id) && !outgoingVoters.contains(id);
  }

  /** Every member (incoming and outgoing voters and learners), in id order. */
  public SortedSet<NodeId> members() {
    TreeSet<NodeId> all = new TreeSet<>(voters);
    all.addAll(outgoingVoters);
    all.addAll(learners);
    return Collections.unmodifiableSortedSet(all);
  }

  /** Every node that votes in either half, in id order. */
  public SortedSet<NodeId> allVoters() {
    TreeSet<NodeId> all = new TreeSet<>(voters);
    all.addAll(outgoingVoters);
    return Collections.unmodifiableSortedSet(all);
  }

  /** The address of {@code id}, if the configuration carries one. */
  public Optional<String> address(NodeId id) {
    return Optional.ofNullable(addresses.get(id));
  }

  // ------------------------------------------------------------------ derived configurations

  /**
   * The configuration after the change: this one if it is not joint; otherwise the incoming voters
   * and the learners, with the addresses of those members.
   */
  public Membership target() {
    if (!isJoint()) {
      return this;
    }
    TreeMap<NodeId, String> kept = new TreeMap<>();
    addresses.forEach(
        (id, address) -> {
          if (voters.contains(id) || learners.contains(id)) {
            kept.put(id, address);
          }
        });
    return new Membership(voters, learners, new TreeSet<>(), kept);
  }

  /**
   * The joint configuration that moves from this one to {@code target} (thesis §4.3): the voters
   * and learners of {@code target}, with this configuration's voters as the outgoing voters.
   * Addresses come from {@code target}, falling back to this configuration's for outgoing voters.
   *
   * @throws IllegalStateException if this configuration is joint or empty
   * @throws IllegalArgumentException if {@code target} is joint
   */
  public Membership enterJoint(Membership target) {
    if (isJoint() || isEmpty()) {
      throw new IllegalStateException("cannot enter a joint change from " + describe());
    }
    if (target.isJoint()) {
      throw new IllegalArgumentException("target must not be joint: " + target.describe());
    }
    TreeMap<NodeId, String> merged = new TreeMap<>(target.addresses);
    addresses.forEach(
        (id, address) -> {
          if (voters.contains(id)) {
            merged.putIfAbsent(id, address);
          }
        });
    return new Membership(target.voters, target.learners, voters, merged);
  }

  /** A copy of this configuration that adds {@code id} as a voter (a learner is promoted). */
  public Membership withVoter(NodeId id, Optional<String> address) {
    Builder b = toBuilder();
    b.learners.remove(id);
    b.voters.add(Objects.requireNonNull(id, "id"));
    address.ifPresent(a -> b.addresses.put(id, a));
    return b.build();
  }

  /** A copy of this configuration that adds {@code id} as a learner (a voter is demoted). */
  public Membership withLearner(NodeId id, Optional<String> address) {
    Builder b = toBuilder();
    b.voters.remove(id);
    b.learners.add(Objects.requireNonNull(id, "id"));
    address.ifPresent(a -> b.addresses.put(id, a));
    return b.build();
  }

  /** A copy of this configuration that promotes learner {@code id} to voter. */
  public Membership withPromoted(NodeId id) {
    if (!learners.contains(id)) {
      throw new IllegalArgumentException(id + " is not a learner of " + describe());
    }
    return withVoter(id, Optional.empty());
  }

  /** A copy of this configuration without {@code id} (voter or learner) and its address. */
  public Membership without(NodeId id) {
    if (!contains(id)) {
      throw new IllegalArgumentException(id + " is not a member of " + describe());
    }
    Builder b = toBuilder();
    b.voters.remove(id);
    b.learners.remove(id);
    b.addresses.remove(id);
    return b.build();
  }

  /** A builder holding this configuration. @throws IllegalStateException if this is joint */
  public Builder toBuilder() {
    if (isJoint()) {
      throw new IllegalStateException("a joint configuration cannot be edited: " + describe());
    }
    Builder b = new Builder();
    b.voters.addAll(voters);
    b.learners.addAll(learners);
    b.addresses.putAll(addresses);
    return b;
  }

  // ------------------------------------------------------------------ text and encoding

  /**
   * Stable text for logs and golden tests, for example {@code voters=[n1, n2] learners=[n3]
   * outgoing=[n1, n2, n4] addresses={n1=127.0.0.1:7101}}; parts that are empty are left out, and
   * the empty configuration is {@code voters=[]}.
   */
  public String describe() {
    StringBuilder out = new StringBuilder("voters=").append(voters);
    if (!learners.isEmpty()) {
      out.append(" learners=").append(learners);
    }
    if (isJoint()) {
      out.append(" outgoing=").append(outgoingVoters);
    }
    if (!addresses.isEmpty()) {
      out.append(" addresses=").append(addresses);
    }
    return out.toString();
  }

  /** The stable binary form stored in {@link EntryType#MEMBERSHIP} entries and snapshots. */
  public Bytes encode() {
    try {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(buffer);
      out.writeByte(FORMAT_V2);
      writeSet(out, voters);
      writeSet(out, learners);
      writeSet(out, outgoingVoters);
      out.writeInt(addresses.size());
      for (Map.Entry<NodeId, String> e : addresses.entrySet()) {
        out.writeUTF(e.getKey().value());
        out.writeUTF(e.getValue());
      }
      out.flush();
      return Bytes.wrapUnsafe(buffer.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen with an in-memory stream
    }
  }

  /**
   * The inverse of {@link #encode()}; also reads the version-1 form (voters and learners only).
   *
   * @throws IllegalArgumentException if {@code data} is not a valid encoding
   */
  public static Membership decode(Bytes data) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(data.toByteArray()));
      byte version = in.readByte();
      if (version != FORMAT_V1 && version != FORMAT_V2) {
        throw new IllegalArgumentException("unknown membership format version " + version);
      }
      SortedSet<NodeId> voters = readSet(in);
      SortedSet<NodeId> learners = readSet(in);
      SortedSet<NodeId> outgoing = new TreeSet<>();
      TreeMap<NodeId, String> addresses = new TreeMap<>();
      if (version == FORMAT_V2) {
        outgoing = readSet(in);
        int count = in.readInt();
        if (count < 0 || count > MAX_MEMBERS) {
          throw new IllegalArgumentException("bad membership address count " + count);
        }
        for (int i = 0; i < count; i++) {
          addresses.put(new NodeId(in.readUTF()), in.readUTF());
        }
      }
      if (in.available() != 0) {
        throw new IllegalArgumentException("trailing bytes after membership");
      }
      return new Membership(voters, learners, outgoing, addresses);
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
    if (size < 0 || size > MAX_MEMBERS) {
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
    return describe();
  }

  /**
   * Builds a simple (not joint) configuration. Not thread-safe.
   *
   * <pre>{@code
   * Membership m = Membership.builder()
   *     .voter(NodeId.of("n1"), "127.0.0.1:7101")
   *     .voter(NodeId.of("n2"), "127.0.0.1:7102")
   *     .learner(NodeId.of("n3"), "127.0.0.1:7103")
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final TreeSet<NodeId> voters = new TreeSet<>();
    private final TreeSet<NodeId> learners = new TreeSet<>();
    private final TreeMap<NodeId, String> addresses = new TreeMap<>();

    private Builder() {}

    /** Adds a voter without an address. */
    public Builder voter(NodeId id) {
      voters.add(Objects.requireNonNull(id, "id"));
      return this;
    }

    /** Adds a voter with its address. */
    public Builder voter(NodeId id, String address) {
      voter(id);
      addresses.put(id, Objects.requireNonNull(address, "address"));
      return this;
    }

    /** Adds a learner without an address. */
    public Builder learner(NodeId id) {
      learners.add(Objects.requireNonNull(id, "id"));
      return this;
    }

    /** Adds a learner with its address. */
    public Builder learner(NodeId id, String address) {
      learner(id);
      addresses.put(id, Objects.requireNonNull(address, "address"));
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalArgumentException if it has no voter or a node is both voter and learner
     */
    public Membership build() {
      return new Membership(voters, learners, new TreeSet<>(), addresses);
    }
  }
}
