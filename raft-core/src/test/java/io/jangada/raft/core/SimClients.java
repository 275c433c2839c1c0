package io.jangada.raft.core;

import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.testkit.lincheck.CheckResult;
import io.jangada.raft.testkit.lincheck.History;
import io.jangada.raft.testkit.lincheck.HistoryRecorder;
import io.jangada.raft.testkit.lincheck.LinearizabilityChecker;
import io.jangada.raft.testkit.lincheck.Verdict;
import io.jangada.raft.testkit.lincheck.models.KvModel;
import io.jangada.raft.testkit.lincheck.models.KvOp;
import io.jangada.raft.testkit.lincheck.models.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Simulated clients of a {@link SimCluster} (TESTING.md tier T4): each runs one register operation
 * at a time on a few keys (a blind write of a unique value, a read through ReadIndex, or a
 * compare-and-set) and records it in a {@link HistoryRecorder} on the simulation's virtual clock.
 *
 * <p>Writes carry a client session (client id and sequence number), so the state machine ({@link
 * SimKv}) executes a retried command at most once. Outcomes: a proposal refused before any attempt
 * was accepted (NotLeader, Dropped) fails; once accepted, the client waits for any node to apply
 * the command and retries with the same sequence number every few ticks (leader changes, crashes,
 * lost messages), and records {@code info} if it times out. A read fails if its ReadState fails,
 * its node crashes or it times out; it succeeds with the node's value once the node applied up to
 * the read index.
 *
 * <p>At the end, {@link #verify} checks the history is linearizable per key (UNKNOWN is a failure),
 * that every acknowledged write survives on every node, and that every command took effect at one
 * log index only. Deterministic for a given random generator; not thread-safe.
 */
final class SimClients implements SimNode.Observer {

  static final int RETRY_TICKS = 12;
  static final int WRITE_TIMEOUT_TICKS = 90;
  static final int READ_TIMEOUT_TICKS = 40;
  private static final String[] KEYS = {"x", "y", "z"};

  /** The operation a client has in flight. */
  private static final class Pending {
    final HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call;
    final long startedAt;
    // Writes:
    SimKv.Command command;
    boolean accepted;
    long lastTry;
    // Reads:
    long requestId;
    String key;
    SimNode node;
    int nodeRestarts;
    long readIndex = -1;

    Pending(HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call, long startedAt) {
      this.call = call;
      this.startedAt = startedAt;
    }
  }

  /** One client process. */
  private static final class Client {
    final int id;
    long seq;
    Optional<NodeId> leaderHint = Optional.empty();
    Pending pending;
    int writes;

    Client(int id) {
      this.id = id;
    }
  }

  private final SimCluster cluster;
  private final SplittableRandom random;
  private final List<Client> clients = new ArrayList<>();
  private final Map<Long, Client> readers = new HashMap<>();
  private long clock; // virtual time: strictly increasing, one step per recorded event
  private final HistoryRecorder<KvOp<String, String>, Reply<String>> recorder =
      HistoryRecorder.withClock(() -> ++clock);
  // (client, seq) of every write acknowledged ok.
  private final List<long[]> acknowledged = new ArrayList<>();
  // "client/seq" -> the log index at which the command took effect (on any node).
  private final Map<String, Long> executedAt = new HashMap<>();
  int ok;
  int failed;
  int info;
  int retries;

  SimClients(SimCluster cluster, SplittableRandom random, int count) {
    this.cluster = cluster;
    this.random = random;
    for (int i = 1; i <= count; i++) {
      clients.add(new Client(i));
    }
  }

  /** One tick: retries and timeouts, then new operations if {@code newOps}. */
  void tick(long now, boolean newOps) {
    for (Client c : clients) {
      if (c.pending != null) {
        progress(c, now);
      } else if (newOps && random.nextInt(4) == 0) {
        start(c, now);
      }
    }
  }

  private void progress(Client c, long now) {
    Pending p = c.pending;
    if (p.command == null) {
      serveRead(c);
      if (c.pending != null
          && (!p.node.isUp()
              || p.node.restarts != p.nodeRestarts
              || now - p.startedAt >= READ_TIMEOUT_TICKS)) {
        finish(c, "read " + p.requestId + " abandoned", Outcome.FAIL, null);
      }
      return;
    }
    if (now - p.startedAt >= WRITE_TIMEOUT_TICKS) {
      finish(c, "write " + describe(p.command) + " timed out", Outcome.INFO, null);
    } else if (now - p.lastTry >= RETRY_TICKS) {
      SimNode node = pickNode(c);
      if (node != null) {
        p.lastTry = now;
        retries++;
        propose(c, node, p);
      }
    }
  }

  private void start(Client c, long now) {
    SimNode node = pickNode(c);
    if (node == null) {
      return;
    }
    String key = KEYS[random.nextInt(KEYS.length)];
    int kind = random.nextInt(3);
    if (kind == 0) {
      long id = cluster.newReadId();
      Pending p = new Pending(recorder.invoke(c.id, KvOp.get(key)), now);
      p.requestId = id;
      p.key = key;
      p.node = node;
      p.nodeRestarts = node.restarts;
      c.pending = p;
      readers.put(id, c);
      node.core().readIndex(id);
      cluster.clientEvent(node.id + " client " + c.id + " read " + key + " (read " + id + ")");
      return;
    }
    KvOp<String, String> op;
    String value = "c" + c.id + "." + (++c.writes);
    if (kind == 1) {
      op = KvOp.put(key, value);
    } else {
      Optional<String> seen = node.kv.get(key);
      String expected = seen.isPresent() && random.nextInt(4) != 0 ? seen.get() : "c1.1";
      op = KvOp.cas(key, expected, value);
    }
    Pending p = new Pending(recorder.invoke(c.id, op), now);
    p.command = new SimKv.Command(c.id, ++c.seq, op);
    p.lastTry = now;
    c.pending = p;
    ProposeResult r = node.core().propose(p.command.encode());
    cluster.clientEvent(
        node.id + " client " + c.id + " propose " + describe(p.command) + " -> " + r);
    if (r instanceof ProposeResult.NotLeader n && n.leaderHint().isPresent()) {
      // Redirected by a follower: one more try at the leader it names, within the same call.
      c.leaderHint = n.leaderHint();
      SimNode hinted = cluster.nodes.get(n.leaderHint().get());
      if (hinted != null && hinted.acceptsInput()) {
        node = hinted;
      }
    } else if (r instanceof ProposeResult.Accepted) {
      p.accepted = true;
      c.leaderHint = Optional.of(node.id);
      return;
    }
    propose(c, node, p);
  }

  private void propose(Client c, SimNode node, Pending p) {
    ProposeResult r = node.core().propose(p.command.encode());
    cluster.clientEvent(
        node.id + " client " + c.id + " propose " + describe(p.command) + " -> " + r);
    if (r instanceof ProposeResult.Accepted) {
      p.accepted = true;
      c.leaderHint = Optional.of(node.id);
    } else {
      if (r instanceof ProposeResult.NotLeader n) {
        c.leaderHint = n.leaderHint();
      }
      if (!p.accepted) {
        finish(c, "write " + describe(p.command) + " refused", Outcome.FAIL, null);
      }
    }
  }

  /** The hinted leader if it takes input, else a random node that does; null if none. */
  private SimNode pickNode(Client c) {
    if (c.leaderHint.isPresent() && random.nextInt(10) != 0) {
      SimNode hinted = cluster.nodes.get(c.leaderHint.get());
      if (hinted != null && hinted.acceptsInput()) {
        return hinted;
      }
    }
    List<SimNode> up = new ArrayList<>();
    for (SimNode node : cluster.nodes.values()) {
      if (node.acceptsInput()) {
        up.add(node);
      }
    }
    return up.isEmpty() ? null : up.get(random.nextInt(up.size()));
  }

  private enum Outcome {
    OK,
    FAIL,
    INFO
  }

  private void finish(Client c, String what, Outcome outcome, Reply<String> reply) {
    Pending p = c.pending;
    c.pending = null;
    if (p.command == null) {
      readers.remove(p.requestId);
    }
    if (outcome == Outcome.OK) {
      p.call.ok(reply);
      ok++;
      if (p.command != null) {
        acknowledged.add(new long[] {c.id, p.command.seq()});
      }
    } else if (outcome == Outcome.FAIL) {
      p.call.fail();
      failed++;
    } else {
      p.call.info();
      info++;
    }
    cluster.clientEvent(
        "client " + c.id + " " + what + ": " + outcome + (reply == null ? "" : " " + reply));
  }

  // ---------------------------------------------------------------- observer hooks

  @Override
  public void applied(SimNode node, LogEntry entry) {
    Optional<SimKv.Command> decoded = SimKv.Command.decode(entry);
    if (decoded.isPresent()) {
      SimKv.Command cmd = decoded.get();
      if (node.kv.lastExecuted()) {
        String key = cmd.client() + "/" + cmd.seq();
        Long before = executedAt.putIfAbsent(key, entry.index());
        if (before != null && before != entry.index()) {
          throw new SimInvariants.Violation(
              "Sessions: command "
                  + describe(cmd)
                  + " took effect at index "
                  + before
                  + " and again at "
                  + entry.index()
                  + " on "
                  + node.id);
        }
      }
      Client c = clients.get(cmd.client() - 1);
      Pending p = c.pending;
      if (p != null && p.command != null && p.command.seq() == cmd.seq()) {
        SimKv.Session s = node.kv.session(cmd.client()).orElseThrow();
        if (s.seq() == cmd.seq()) {
          finish(c, "write " + describe(cmd) + " applied on " + node.id, Outcome.OK, s.reply());
        }
      }
    }
    serveReadsOn(node);
  }

  @Override
  public void read(SimNode node, ReadState state) {
    Client c = readers.get(state.requestId());
    if (c == null || c.pending == null || c.pending.node != node) {
      return;
    }
    if (!state.success()) {
      finish(c, "read " + state.requestId() + " refused", Outcome.FAIL, null);
      return;
    }
    c.pending.readIndex = state.readIndex();
    serveRead(c);
  }

  private void serveReadsOn(SimNode node) {
    for (Client c : clients) {
      if (c.pending != null && c.pending.command == null && c.pending.node == node) {
        serveRead(c);
      }
    }
  }

  private void serveRead(Client c) {
    Pending p = c.pending;
    if (p.readIndex < 0
        || !p.node.isUp()
        || p.node.restarts != p.nodeRestarts
        || p.node.appliedIndex() < p.readIndex) {
      return;
    }
    finish(
        c,
        "read " + p.requestId + " served at " + p.node.id + " index " + p.readIndex,
        Outcome.OK,
        Reply.read(p.node.kv.get(p.key)));
  }

  // ---------------------------------------------------------------- checks

  /** The outcome of {@link #verify}, for summaries. */
  record Summary(int operations, int ok, int failed, int info, int retries, long millis) {}

  /**
   * Checks the whole history: linearizable per key, no acknowledged write lost on any node, every
   * command executed at one index only. Call after the cluster settled.
   */
  Summary verify() {
    History<KvOp<String, String>, Reply<String>> history = recorder.history();
    CheckResult<KvOp<String, String>, Reply<String>> result =
        LinearizabilityChecker.sequential()
            .check(history, KvModel.<String, String>create(), Duration.ofSeconds(20));
    if (result.verdict() == Verdict.NOT_LINEARIZABLE) {
      throw new SimInvariants.Violation("Linearizability: " + result.explanation());
    }
    if (result.verdict() != Verdict.LINEARIZABLE) {
      throw new AssertionError("Linearizability check did not finish: " + result.explanation());
    }
    for (long[] ack : acknowledged) {
      int client = (int) ack[0];
      Long index = executedAt.get(client + "/" + ack[1]);
      Optional<SimKv.Command> there =
          index == null
              ? Optional.empty()
              : cluster.invariants.committedAt(index).flatMap(SimKv.Command::decode);
      if (there.isEmpty() || there.get().client() != client || there.get().seq() != ack[1]) {
        throw new SimInvariants.Violation(
            "Durability: acknowledged write "
                + client
                + "/"
                + ack[1]
                + " took effect at index "
                + index
                + " but the committed log holds "
                + there
                + " there");
      }
      for (SimNode node : cluster.nodes.values()) {
        if (node.appliedIndex() < index) {
          continue; // the liveness phase only waits for every node to apply its own entry
        }
        long seq = node.kv.session(client).map(SimKv.Session::seq).orElse(0L);
        if (seq < ack[1]) {
          throw new SimInvariants.Violation(
              "Durability: acknowledged write "
                  + client
                  + "/"
                  + ack[1]
                  + " is missing on "
                  + node.id
                  + " (its session is at "
                  + seq
                  + ")");
        }
      }
    }
    return new Summary(recorder.size(), ok, failed, info, retries, result.elapsed().toMillis());
  }

  private static String describe(SimKv.Command c) {
    return c.client() + "/" + c.seq() + " " + c.op();
  }
}
