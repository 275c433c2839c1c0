package io.jangada.raft.core;

import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.testkit.lincheck.models.KvOp;
import io.jangada.raft.testkit.lincheck.models.Reply;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The simulated state machine of one node: a map of registers with client sessions. A command
 * carries its client id and sequence number; a command whose sequence number the client's session
 * already passed is a retry and is not executed again (the cached reply of the last one is kept).
 * Entries that are not client commands (the simulation's other proposals, no-ops) are skipped.
 * Rebuilt from the log after every restart. Not thread-safe.
 */
final class SimKv {

  /** A client command: {@code op} is a {@link KvOp.Put} or a {@link KvOp.Cas}. */
  record Command(int client, long seq, KvOp<String, String> op) {

    private static final String PREFIX = "kv|";

    Bytes encode() {
      String body;
      if (op instanceof KvOp.Put<String, String> put) {
        body = "put|" + put.key() + "|" + put.value();
      } else if (op instanceof KvOp.Cas<String, String> cas) {
        body = "cas|" + cas.key() + "|" + cas.expected() + "|" + cas.update();
      } else {
        throw new AssertionError(op);
      }
      return Bytes.ofUtf8(PREFIX + client + "|" + seq + "|" + body);
    }

    /** The command in {@code e}, or empty if {@code e} is not a client command. */
    static Optional<Command> decode(LogEntry e) {
      if (e.type() != EntryType.COMMAND) {
        return Optional.empty();
      }
      String s = e.data().toUtf8();
      if (!s.startsWith(PREFIX)) {
        return Optional.empty();
      }
      String[] f = s.split("\\|", -1);
      int client = Integer.parseInt(f[1]);
      long seq = Long.parseLong(f[2]);
      KvOp<String, String> op =
          f[3].equals("put") ? KvOp.put(f[4], f[5]) : KvOp.cas(f[4], f[5], f[6]);
      return Optional.of(new Command(client, seq, op));
    }
  }

  /** The last command a client had executed, and its reply. */
  record Session(long seq, Reply<String> reply) {}

  private final Map<String, String> data = new HashMap<>();
  private final Map<Integer, Session> sessions = new HashMap<>();
  // Whether the last applied entry executed a command (false: not a command, or a deduplicated
  // one).
  private boolean lastExecuted;
  long duplicatesSkipped;

  void reset() {
    data.clear();
    sessions.clear();
    lastExecuted = false;
  }

  /** Applies one committed entry. */
  void apply(LogEntry e) {
    lastExecuted = false;
    Optional<Command> decoded = Command.decode(e);
    if (decoded.isEmpty()) {
      return;
    }
    Command c = decoded.get();
    Session session = sessions.get(c.client());
    if (session != null && c.seq() <= session.seq()) {
      duplicatesSkipped++;
      return;
    }
    Reply<String> reply;
    if (c.op() instanceof KvOp.Put<String, String> put) {
      data.put(put.key(), put.value());
      reply = Reply.ack();
    } else if (c.op() instanceof KvOp.Cas<String, String> cas) {
      boolean holds = cas.expected().equals(data.get(cas.key()));
      if (holds) {
        data.put(cas.key(), cas.update());
      }
      reply = Reply.applied(holds);
    } else {
      throw new AssertionError(c.op());
    }
    sessions.put(c.client(), new Session(c.seq(), reply));
    lastExecuted = true;
  }

  /** Whether the last {@link #apply} executed a client command (not skipped as a retry). */
  boolean lastExecuted() {
    return lastExecuted;
  }

  Optional<String> get(String key) {
    return Optional.ofNullable(data.get(key));
  }

  /** The session of {@code client}, if it had a command executed. */
  Optional<Session> session(int client) {
    return Optional.ofNullable(sessions.get(client));
  }
}
