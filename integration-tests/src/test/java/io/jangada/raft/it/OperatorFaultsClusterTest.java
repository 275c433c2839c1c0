package io.jangada.raft.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.file.FaultyFileIo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TESTING.md tier T10 through three {@link RaftNode}s on gRPC (127.0.0.1) and {@code FileStorage}:
 * the operator faults of issue 12. Each ends in a clear refusal to start or in the damaged node
 * catching up, and every acknowledged write survives.
 */
class OperatorFaultsClusterTest {

  private static final List<NodeId> IDS =
      List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private RealCluster cluster;
  private final Map<NodeId, FaultyFileIo> disks = new HashMap<>();
  // Every acknowledged write: key -> value.
  private final Map<String, String> acknowledged = new TreeMap<>();
  private int writes;

  @AfterEach
  void tearDown() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void startAll() throws IOException {
    cluster =
        new RealCluster(IDS, dir, "t10")
            .openStorage(
                (path, identity) ->
                    disks
                        .computeIfAbsent(identity.nodeId(), id -> new FaultyFileIo())
                        .open(path, identity));
    for (NodeId id : IDS) {
      cluster.start(id);
    }
  }

  /** Issue 12, bug 1: a follower whose log lost acknowledged entries is caught up. */
  @Test
  void aFollowerThatLostAcknowledgedEntriesIsRefilledAndTheClusterKeepsCommitting()
      throws Exception {
    startAll();
    writeMany(30);
    RaftNode leader = cluster.awaitLeader();
    List<NodeId> followers = followersOf(leader);
    NodeId damaged = followers.get(0);
    NodeId other = followers.get(1);
    long last = leader.status().lastIndex();
    RealCluster.awaitUntil(
        () -> node(damaged).status().lastIndex() == last, "the follower holds everything", WAIT);

    cluster.stop(damaged);
    FaultyFileIo.cutInsideRecord(cluster.dataDir(damaged), last - 5); // acknowledged, committed
    cluster.start(damaged);
    assertThat(node(damaged).status().lastIndex()).isEqualTo(last - 6);
    cluster.stop(other); // the leader can now commit only with the damaged follower

    writeMany(5);
    RealCluster.awaitUntil(
        () -> node(damaged).status().lastIndex() == leader.status().lastIndex(),
        "the damaged follower is refilled",
        WAIT);
    cluster.start(other);
    awaitAllHold(acknowledged);
  }

  /**
   * A follower's state file knows the commit index of an idle cluster after a few writes (far fewer
   * than the 1,024 that also save it), so when a damaged disk zeroes its log's last records the
   * restarted follower knows it lost committed entries it had synced ({@code LostTail}: an ERROR,
   * no vote until refilled), not only that recovery cut a torn tail, and the leader refills it.
   */
  @Test
  void aFollowerWhoseZeroedTailLostCommittedEntriesSaysSoAndIsRefilled() throws Exception {
    startAll();
    writeMany(12);
    RaftNode leader = cluster.awaitLeader();
    NodeId damaged = followersOf(leader).get(0);
    // Idle for more than two election timeouts (10 ticks of 20 ms): the commit index is saved.
    LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
    long last = leader.status().lastIndex();
    RealCluster.awaitUntil(
        () ->
            node(damaged).status().lastIndex() == last
                && node(damaged).status().commitIndex() == last,
        "the follower holds and knows committed everything",
        WAIT);

    cluster.stop(damaged);
    FaultyFileIo.zeroFillFrom(cluster.dataDir(damaged), last - 2); // 3 committed entries
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      cluster.start(damaged);
      assertThat(node(damaged).status().lastIndex()).isEqualTo(last - 3);
      // No new write: the leader's heartbeats bring the lost entries back.
      RealCluster.awaitUntil(
          () -> node(damaged).status().lastIndex() == leader.status().lastIndex(),
          "the damaged follower is refilled",
          WAIT);
    } finally {
      System.setErr(original);
    }
    String logged = err.toString(StandardCharsets.UTF_8);
    Matcher lostTail =
        Pattern.compile(
                "ERROR .*"
                    + damaged
                    + ": the log ends at "
                    + (last - 3)
                    + " but the commit index (\\d+) was stored: committed entries "
                    + (last - 2)
                    + "\\.\\.\\d+ that this node had synced are lost")
            .matcher(logged);
    assertThat(lostTail.find()).as("LostTail's ERROR in:%n%s", logged).isTrue();
    assertThat(Long.parseLong(lostTail.group(1))).isBetween(last - 2, last);

    awaitAllHold(acknowledged);
    writeMany(3); // and the cluster goes on, with the refilled follower's log in step
    awaitAllHold(acknowledged);
    RealCluster.awaitUntil(
        () -> node(damaged).status().lastIndex() == cluster.awaitLeader().status().lastIndex(),
        "the refilled follower holds every entry",
        WAIT);
  }

  /** Issue 12, bug 2: a node whose term/vote file is gone refuses to start. */
  @Test
  void aNodeWithoutItsStateFileRefusesToStart() throws Exception {
    startAll();
    writeMany(10);
    NodeId victim = followersOf(cluster.awaitLeader()).get(0);
    cluster.stop(victim);
    Path state = cluster.dataDir(victim).resolve("state");
    Path saved = dir.resolve("state.saved");
    Files.move(state, saved);
    assertThatThrownBy(() -> cluster.start(victim))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the term/vote file 'state' is missing");
    assertThat(cluster.running()).doesNotContainKey(victim);
    writeMany(5); // the other two go on

    Files.move(saved, state); // the operator restores it
    cluster.start(victim);
    awaitAllHold(acknowledged);
  }

  /** Issue 12, bug 3: two nodes' swapped data directories are refused, naming both ids. */
  @Test
  void swappedDataDirectoriesAreRefused() throws Exception {
    startAll();
    writeMany(10);
    List<NodeId> followers = followersOf(cluster.awaitLeader());
    NodeId a = followers.get(0);
    NodeId b = followers.get(1);
    cluster.stop(a);
    cluster.stop(b);
    swap(cluster.dataDir(a), cluster.dataDir(b));
    assertThatThrownBy(() -> cluster.start(a))
        .hasMessageContaining("belongs to node " + b + " of cluster t10")
        .hasMessageContaining("not to node " + a + " of cluster t10");
    assertThatThrownBy(() -> cluster.start(b))
        .hasMessageContaining("belongs to node " + a + " of cluster t10");

    swap(cluster.dataDir(a), cluster.dataDir(b));
    cluster.start(a);
    cluster.start(b);
    writeMany(5);
    awaitAllHold(acknowledged);
  }

  /** A full disk stops the follower's writes; once space is freed it restarts and catches up. */
  @Test
  void aFollowerWithAFullDiskLosesNothingAndCatchesUpOnceFreed() throws Exception {
    startAll();
    writeMany(10);
    NodeId victim = followersOf(cluster.awaitLeader()).get(0);
    disks.get(victim).fault(FaultyFileIo.Fault.FULL);
    writeMany(10); // committed by the other two
    cluster.stop(victim);
    disks.get(victim).fault(FaultyFileIo.Fault.NONE);
    cluster.start(victim);
    awaitAllHold(acknowledged);
  }

  /** A read-only data directory is refused at start; once writable the node catches up. */
  @Test
  void aReadOnlyDataDirectoryIsRefusedAtStart() throws Exception {
    startAll();
    writeMany(10);
    NodeId victim = followersOf(cluster.awaitLeader()).get(0);
    cluster.stop(victim);
    disks.get(victim).fault(FaultyFileIo.Fault.READ_ONLY);
    assertThatThrownBy(() -> cluster.start(victim))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Read-only file system");
    writeMany(5);
    disks.get(victim).fault(FaultyFileIo.Fault.NONE);
    cluster.start(victim);
    awaitAllHold(acknowledged);
  }

  // ---- helpers

  private RaftNode node(NodeId id) {
    return cluster.running().get(id).node();
  }

  private List<NodeId> followersOf(RaftNode leader) {
    return IDS.stream().filter(id -> !id.equals(leader.id())).toList();
  }

  private static void swap(Path a, Path b) throws IOException {
    Path tmp = a.resolveSibling(a.getFileName() + ".swap");
    Files.move(a, tmp);
    Files.move(b, a);
    Files.move(tmp, b);
  }

  private void writeMany(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      String key = "k" + (writes % 7);
      String value = "v" + writes++;
      write(key, value);
      acknowledged.put(key, value);
    }
  }

  private void write(String key, String value) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        cluster
            .awaitLeader()
            .propose(Bytes.ofUtf8("P " + key + " " + value))
            .get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
    throw new AssertionError("could not write " + key + " within " + WAIT);
  }

  /** Every running node's state machine reaches exactly the acknowledged writes. */
  private void awaitAllHold(Map<String, String> expected) {
    RealCluster.awaitUntil(
        () ->
            cluster.running().size() == IDS.size()
                && cluster.running().values().stream()
                    .allMatch(r -> r.machine().contents().equals(expected)),
        "every node holds every acknowledged write",
        WAIT);
  }
}
