package io.jangada.raft.core;

import io.jangada.raft.internal.SessionEntry;
import io.jangada.raft.internal.SessionTable;
import io.jangada.raft.model.Bytes;
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
 * <p>Writes use the library's client sessions: a client opens a session (an open request with a
 * nonce; its id is the index the open entry gets), then sends each write as a session command with
 * its sequence number, through any node: a follower forwards it to the leader it knows ({@link
 * SimNode#proposeSession}), as the driver does. Outcomes: a request refused before any attempt
 * could have been appended (no leader known, dropped) fails; otherwise the client waits for any
 * node to apply the command and retries with the same sequence number every few ticks (leader
 * changes, crashes, lost messages), and records {@code info} if it times out. The session table
 * answers a retry with the remembered result; if the session expired or was evicted (tight limits
 * on some seeds), the client gets the expired error, records {@code info} and opens a new session.
 * A read fails if its ReadState fails, its node crashes or it times out; it succeeds with the
 * node's value once the node applied up to the read index.
 *
 * <p>Checked while running: every node gives a session entry the same outcome, and no write takes
 * effect twice (writes carry unique values). At the end, {@link #verify} checks the history is
 * linearizable per key (UNKNOWN is a failure) and every acknowledged write took effect in the
 * committed log. Deterministic for a given random generator; not thread-safe.
 */
final class SimClients implements SimNode.Observer {

  static final int RETRY_TICKS = 12;
  static final int WRITE_TIMEOUT_TICKS = 90;
  static final int READ_TIMEOUT_TICKS = 40;
  static final int OPEN_TIMEOUT_TICKS = 90;
  private static final String[] KEYS = {"x", "y", "z"};

  /** The operation a client has in flight. */
  private static final class Pending {
    final HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call;
    final long startedAt;
    // Writes:
    SimKv.Command command;
    SessionEntry request;
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
    long sessionId; // 0: none
    long seq;
    Optional<NodeId> leaderHint = Optional.empty();
    Pending pending;
    int writes;
    // An open request in flight: its nonce and when it started (-1: none).
    long openNonce;
    long openStarted = -1;
    long openLastTry;

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
  // (session, seq, value) of every write acknowledged ok.
  private final List<Object[]> acknowledged = new ArrayList<>();
  // The value a write stores -> the log index at which it took effect (on any node).
  private final Map<String, Long> executedAt = new HashMap<>();
  // Log index of a session entry -> what the first node to apply it made of it.
  private final Map<Long, String> outcomeAt = new HashMap<>();
  private final Map<Long, Client> sessionOwners = new HashMap<>();
  private long nonces;
  int ok;
  int failed;
  int info;
  int retries;
  int expired;
  int opened;

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
      } else if (c.openStarted >= 0) {
        progressOpen(c, now);
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
      finish(c, "write " + describe(p) + " timed out", Outcome.INFO, null);
    } else if (now - p.lastTry >= RETRY_TICKS) {
      SimNode node = pickNode(c);
      if (node != null) {
        p.lastTry = now;
        retries++;
        propose(c, node, p);
      }
    }
  }

  private void progressOpen(Client c, long now) {
    if (now - c.openStarted >= OPEN_TIMEOUT_TICKS) {
      cluster.clientEvent("client " + c.id + " gives up opening a session");
      c.openStarted = -1;
    } else if (now - c.openLastTry >= RETRY_TICKS) {
      SimNode node = pickNode(c);
      if (node != null) {
        c.openLastTry = now;
        send(c, node, SessionEntry.open(c.openNonce), "open " + c.openNonce);
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
    if (c.sessionId == 0) {
      c.openNonce = ++nonces;
      c.openStarted = now;
      c.openLastTry = now;
      send(c, node, SessionEntry.open(c.openNonce), "open " + c.openNonce);
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
    p.command = new SimKv.Command(op);
    long seq = ++c.seq;
    // One request at a time: every earlier one has its answer (or was given up).
    p.request = SessionEntry.command(c.sessionId, seq, seq, p.command.encode());
    p.lastTry = now;
    c.pending = p;
    propose(c, node, p);
  }

  private void propose(Client c, SimNode node, Pending p) {
    ProposeResult r = send(c, node, p.request, describe(p));
    if (r instanceof ProposeResult.Accepted
        || (r instanceof ProposeResult.NotLeader n && n.leaderHint().isPresent())) {
      p.accepted = true; // appended, or forwarded to the leader
    } else if (!p.accepted) {
      finish(c, "write " + describe(p) + " refused", Outcome.FAIL, null);
    }
  }

  /** Sends a session request through {@code node}, forwarding it if {@code node} follows. */
  private ProposeResult send(Client c, SimNode node, SessionEntry request, String what) {
    SimNode.SessionProposal sp =
        node.proposeSession(request, cluster.millis(), cluster.sessionLimits);
    cluster.clientEvent(
        node.id
            + " client "
            + c.id
            + " "
            + what
            + " -> "
            + sp.result()
            + (sp.forward().isPresent() ? " (forwarded)" : ""));
    sp.forward().ifPresent(cluster::send);
    if (sp.result() instanceof ProposeResult.Accepted) {
      c.leaderHint = Optional.of(node.id);
    } else if (sp.result() instanceof ProposeResult.NotLeader n) {
      c.leaderHint = n.leaderHint();
    }
    return sp.result();
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
        acknowledged.add(
            new Object[] {p.request.clientId(), p.request.sequence(), p.command.value()});
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
    Optional<SessionEntry> session = SimKv.session(entry);
    if (session.isPresent()) {
      onSessionApplied(node, entry.index(), session.get(), node.kv.lastOutcome().orElseThrow());
    }
    serveReadsOn(node);
  }

  private void onSessionApplied(
      SimNode node, long index, SessionEntry request, SessionTable.Outcome outcome) {
    String described = describe(outcome);
    String first = outcomeAt.putIfAbsent(index, described);
    if (first != null && !first.equals(described)) {
      throw new SimInvariants.Violation(
          "Sessions: "
              + node.id
              + " applied the session entry at "
              + index
              + " as "
              + described
              + ", another node as "
              + first);
    }
    if (request.kind() == SessionEntry.Kind.OPEN) {
      for (Client c : clients) {
        if (c.openStarted >= 0 && c.openNonce == request.sequence()) {
          c.openStarted = -1;
          c.sessionId = ((SessionTable.Outcome.Opened) outcome).clientId();
          c.seq = 0;
          sessionOwners.put(c.sessionId, c);
          opened++;
          cluster.clientEvent("client " + c.id + " has session " + c.sessionId);
        }
      }
      return;
    }
    if (request.kind() != SessionEntry.Kind.COMMAND) {
      return;
    }
    SimKv.Command cmd = SimKv.Command.decode(request.command());
    if (outcome instanceof SessionTable.Outcome.Applied) {
      Long before = executedAt.putIfAbsent(cmd.value(), index);
      if (before != null && before != index) {
        throw new SimInvariants.Violation(
            "Sessions: command "
                + cmd.op()
                + " took effect at index "
                + before
                + " and again at "
                + index
                + " on "
                + node.id);
      }
    }
    Client c = sessionOwners.get(request.clientId());
    Pending p = c == null ? null : c.pending;
    if (p == null
        || p.request == null
        || p.request.clientId() != request.clientId()
        || p.request.sequence() != request.sequence()) {
      return;
    }
    if (outcome instanceof SessionTable.Outcome.Rejected rejected) {
      expired++;
      c.sessionId = 0;
      finish(c, "write " + describe(p) + ": " + rejected.reason(), Outcome.INFO, null);
    } else {
      Bytes result =
          outcome instanceof SessionTable.Outcome.Applied a
              ? a.result()
              : ((SessionTable.Outcome.Duplicate) outcome).result();
      finish(c, "write " + describe(p) + " applied on " + node.id, Outcome.OK, SimKv.reply(result));
    }
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
  record Summary(
      int operations,
      int ok,
      int failed,
      int info,
      int retries,
      int sessionsOpened,
      int sessionsExpired,
      long millis) {}

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
    for (Object[] ack : acknowledged) {
      long session = (Long) ack[0];
      long seq = (Long) ack[1];
      Long index = executedAt.get((String) ack[2]);
      Optional<SessionEntry> there =
          index == null
              ? Optional.empty()
              : cluster.invariants.committedAt(index).flatMap(SimKv::session);
      if (there.isEmpty() || there.get().clientId() != session || there.get().sequence() != seq) {
        throw new SimInvariants.Violation(
            "Durability: acknowledged write "
                + session
                + "/"
                + seq
                + " ("
                + ack[2]
                + ") took effect at index "
                + index
                + " but the committed log holds "
                + there
                + " there");
      }
    }
    return new Summary(
        recorder.size(), ok, failed, info, retries, opened, expired, result.elapsed().toMillis());
  }

  private static String describe(Pending p) {
    return p.request.clientId() + "/" + p.request.sequence() + " " + p.command.op();
  }

  private static String describe(SessionTable.Outcome o) {
    if (o instanceof SessionTable.Outcome.Applied a) {
      return "Applied " + a.result().toUtf8();
    } else if (o instanceof SessionTable.Outcome.Duplicate d) {
      return "Duplicate " + d.result().toUtf8();
    }
    return o.toString();
  }
}
