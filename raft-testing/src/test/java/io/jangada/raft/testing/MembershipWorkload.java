package io.jangada.raft.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.NodeClosedException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.RaftNode;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.HistoryRecorder;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Verdict;
import io.jangada.raft.testkit.lincheck.models.RegisterModel;
import io.jangada.raft.testkit.lincheck.models.RegisterOp;
import io.jangada.raft.testkit.lincheck.models.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Clients that keep writing unique values and reading the last one (a register over {@link
 * RecordingStateMachine}'s {@code last} query) against an {@link InMemoryCluster} while a test
 * changes its membership, in virtual time. Each client has one operation outstanding and issues the
 * next from the previous one's completion. At the end: every acknowledged write is in the leader's
 * state machine, and the history is linearizable.
 */
final class MembershipWorkload {

  private final InMemoryCluster cluster;
  private final SplittableRandom random;
  private final HistoryRecorder<RegisterOp<String>, Reply<String>> history;
  private final Set<String> acknowledged = new HashSet<>();
  private final List<CompletableFuture<?>> outstanding = new ArrayList<>();
  private boolean stopped;
  private int nextValue;

  MembershipWorkload(InMemoryCluster cluster, long seed) {
    this.cluster = cluster;
    this.random = new SplittableRandom(seed);
    this.history = HistoryRecorder.withClock(cluster.scheduler()::nanoTime);
  }

  /** Starts {@code clients} clients. */
  void start(int clients) {
    for (int c = 0; c < clients; c++) {
      next(c);
    }
  }

  /** Stops issuing operations and waits (virtual time) until every outstanding one completed. */
  void stop() {
    stopped = true;
    cluster.awaitCondition(
        () -> outstanding.stream().allMatch(CompletableFuture::isDone),
        Duration.ofSeconds(30),
        "outstanding client operations complete");
  }

  int acknowledgedWrites() {
    return acknowledged.size();
  }

  private void next(int process) {
    if (stopped) {
      return;
    }
    Optional<RaftNode> target = pickNode();
    if (target.isEmpty()) {
      cluster.scheduler().schedule(Duration.ofMillis(20), Runnable::run, () -> next(process));
      return;
    }
    RaftNode node = target.get();
    CompletableFuture<?> done;
    if (random.nextInt(3) == 0) {
      HistoryRecorder.Call<RegisterOp<String>, Reply<String>> call =
          history.invoke(process, RegisterOp.read());
      done =
          node.query(Bytes.ofUtf8("last"))
              .whenComplete(
                  (value, error) -> {
                    if (error == null) {
                      call.ok(value.isEmpty() ? Reply.absent() : Reply.value(value.toUtf8()));
                    } else {
                      call.fail(); // a read changes nothing
                    }
                  });
    } else {
      String value = "v" + nextValue++;
      HistoryRecorder.Call<RegisterOp<String>, Reply<String>> call =
          history.invoke(process, new RegisterOp.Write<>(value));
      done =
          node.propose(Bytes.ofUtf8(value))
              .whenComplete(
                  (committed, error) -> {
                    if (error == null) {
                      acknowledged.add(value);
                      call.ok(Reply.ack());
                    } else if (unwrap(error) instanceof NotLeaderException
                        || unwrap(error) instanceof ProposalDroppedException
                        || unwrap(error) instanceof NodeClosedException) {
                      call.fail(); // nothing was appended
                    } else {
                      call.info();
                    }
                  });
    }
    outstanding.removeIf(CompletableFuture::isDone);
    outstanding.add(done);
    done.whenComplete(
        (v, e) ->
            cluster.scheduler().schedule(Duration.ofMillis(5), Runnable::run, () -> next(process)));
  }

  private Optional<RaftNode> pickNode() {
    Optional<NodeId> leader = cluster.leader();
    if (leader.isPresent() && random.nextInt(10) < 8) {
      return Optional.of(cluster.node(leader.get()));
    }
    List<NodeId> running = new ArrayList<>();
    for (NodeId id : cluster.ids()) {
      if (cluster.isRunning(id)) {
        running.add(id);
      }
    }
    return running.isEmpty()
        ? Optional.empty()
        : Optional.of(cluster.node(running.get(random.nextInt(running.size()))));
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /**
   * Checks that every acknowledged write was applied by {@code node} and that the history is
   * linearizable; {@code context} (with the seed) labels failures.
   */
  void verify(NodeId node, String context) {
    List<String> applied = new ArrayList<>();
    for (Bytes b : ((RecordingStateMachine) cluster.stateMachine(node)).applied()) {
      applied.add(b.toUtf8());
    }
    assertThat(applied)
        .as("acknowledged writes applied on %s; %s", node, context)
        .containsAll(acknowledged);
    CheckResult<RegisterOp<String>, Reply<String>> result =
        LinearizabilityChecker.sequential()
            .check(history.history(), RegisterModel.create(), Duration.ofSeconds(60));
    System.out.printf(
        "%s: %d operations, %d acknowledged writes, verdict %s%n",
        context, history.history().operations().size(), acknowledged.size(), result.verdict());
    assertThat(result.verdict())
        .as(context + "\n" + result.explanation())
        .isEqualTo(Verdict.LINEARIZABLE);
  }
}
