package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Committed;
import io.jangada.raft.RaftNode;
import io.jangada.raft.core.RaftConfig;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.InMemoryLogStorage;
import io.jangada.raft.storage.InMemorySnapshotStorage;
import io.jangada.raft.storage.InMemoryStateStorage;
import io.jangada.raft.testing.LoopbackPorts;
import io.jangada.raft.testing.RecordingStateMachine;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three {@link RaftNode}s over real gRPC on 127.0.0.1 (plain text and mutual TLS): election,
 * replication, killing the leader, restarting it, and a follower that was down catching up. Real
 * time: waits are bounded polls, assertions are on outcomes only.
 */
class GrpcClusterTest {

  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** What survives a node's crash: its address and storage. */
  private static final class Member {
    final InetSocketAddress address = LoopbackPorts.freeLoopbackAddress();
    final InMemoryLogStorage log = new InMemoryLogStorage();
    final InMemoryStateStorage state = new InMemoryStateStorage();
    final InMemorySnapshotStorage snapshots = new InMemorySnapshotStorage();
    RecordingStateMachine machine;
    GrpcTransport transport;
    RaftNode node;
  }

  private final Map<NodeId, Member> members = new LinkedHashMap<>();
  private final SplittableRandom random = new SplittableRandom(5);
  private final List<String> maybeApplied = new ArrayList<>();
  private boolean tls;

  @AfterEach
  void tearDown() {
    for (NodeId id : IDS) {
      kill(id);
    }
  }

  private static Path pem(String name) {
    try {
      return Path.of(GrpcClusterTest.class.getResource("/tls/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private void startCluster(boolean withTls) {
    this.tls = withTls;
    for (NodeId id : IDS) {
      members.put(id, new Member());
    }
    for (NodeId id : IDS) {
      start(id);
    }
  }

  private void start(NodeId id) {
    Member member = members.get(id);
    GrpcTransport.Builder transport =
        GrpcTransport.builder().self(id).clusterId("grpc-cluster-test").listen(member.address);
    for (NodeId peer : IDS) {
      if (!peer.equals(id)) {
        transport.peer(peer, members.get(peer).address);
      }
    }
    if (tls) {
      transport
          .tls(pem("server.pem"), pem("server.key"), pem("ca.pem"))
          .clientCertificate(pem("client.pem"), pem("client.key"));
    }
    member.transport = transport.build();
    member.machine = new RecordingStateMachine();
    member.node =
        RaftNode.builder()
            .id(id)
            .membership(Membership.ofVoters(IDS))
            .config(RaftConfig.builder().electionTicks(10).heartbeatTicks(1).build())
            .stateMachine(member.machine)
            .logStorage(member.log)
            .stateStorage(member.state)
            .snapshotStorage(member.snapshots)
            .transport(member.transport)
            .tickInterval(Duration.ofMillis(20))
            .random(random.split())
            .build();
    member.node.start().join();
  }

  /** Stops a node at once; its unsynced writes are lost, as in a power cut. */
  private void kill(NodeId id) {
    Member member = members.get(id);
    if (member == null || member.node == null) {
      return;
    }
    member.node.close(Duration.ZERO); // a kill: no leadership handover
    member.transport.close();
    member.log.crash(random);
    member.node = null;
  }

  private static void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + " within " + WAIT);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  private Optional<NodeId> leader() {
    return members.entrySet().stream()
        .filter(e -> e.getValue().node != null && e.getValue().node.status().isLeader())
        .map(Map.Entry::getKey)
        .findFirst();
  }

  private NodeId awaitLeader() {
    awaitUntil(() -> leader().isPresent(), "a leader is elected");
    return leader().orElseThrow();
  }

  /**
   * Writes {@code command} through whoever leads, retrying on leader changes. A failed attempt may
   * still be applied (a leader that lost leadership cannot tell), so every retry sends a distinct
   * command ({@code command#attempt}) and the failed ones are remembered as maybe applied: a retry
   * of the same command could be applied twice, and a check for exactly the acknowledged writes
   * would then wait forever.
   */
  private void write(List<String> acknowledged, String command) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
      String sent = attempt == 0 ? command : command + "#" + attempt;
      NodeId leader = awaitLeader();
      CompletableFuture<Committed> future = members.get(leader).node.propose(Bytes.ofUtf8(sent));
      try {
        future.get(10, TimeUnit.SECONDS);
        acknowledged.add(sent);
        return;
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        maybeApplied.add(sent);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
    throw new AssertionError("could not write " + command);
  }

  private List<String> applied(NodeId id) {
    return members.get(id).machine.applied().stream()
        .map(Bytes::toUtf8)
        .collect(Collectors.toList());
  }

  /**
   * Waits until every node is up and has applied the same commands, all acknowledged ones among
   * them in order; then checks that nothing else was applied but writes whose outcome was unknown.
   */
  private void awaitEveryNodeApplied(List<String> acknowledged) {
    awaitUntil(
        () -> {
          if (members.values().stream().anyMatch(m -> m.node == null)) {
            return false;
          }
          List<String> first = applied(IDS.get(0));
          return IDS.stream().allMatch(id -> applied(id).equals(first))
              && isSubsequence(acknowledged, first);
        },
        "every node applies the same commands, every acknowledged write among them");
    List<String> applied = applied(IDS.get(0));
    Set<String> allowed = new HashSet<>(acknowledged);
    allowed.addAll(maybeApplied);
    assertThat(allowed).as("only written commands are applied").containsAll(applied);
    assertThat(applied).as("nothing applied twice").doesNotHaveDuplicates();
  }

  private static boolean isSubsequence(List<String> wanted, List<String> in) {
    int i = 0;
    for (String s : in) {
      if (i < wanted.size() && wanted.get(i).equals(s)) {
        i++;
      }
    }
    return i == wanted.size();
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void electsReplicatesSurvivesLeaderKillAndRestart(boolean withTls) throws Exception {
    startCluster(withTls);
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      write(acknowledged, "a" + i);
    }
    awaitEveryNodeApplied(acknowledged);

    NodeId first = awaitLeader();
    kill(first);
    awaitUntil(() -> leader().isPresent() && !leader().get().equals(first), "a new leader");
    for (int i = 0; i < 20; i++) {
      write(acknowledged, "b" + i);
    }
    start(first);
    awaitEveryNodeApplied(acknowledged);
  }

  @ParameterizedTest(name = "tls={0}")
  @ValueSource(booleans = {false, true})
  void aFollowerThatWasDownCatchesUp(boolean withTls) throws Exception {
    startCluster(withTls);
    NodeId leader = awaitLeader();
    NodeId follower = IDS.stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    kill(follower);
    List<String> acknowledged = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      write(acknowledged, "w" + i);
    }
    start(follower);
    awaitEveryNodeApplied(acknowledged);
    assertThat(acknowledged).hasSize(300);
  }
}
