package io.jangada.raft.core;

import io.jangada.raft.internal.SessionEntry;
import io.jangada.raft.internal.SessionTable;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.testkit.lincheck.models.KvOp;
import io.jangada.raft.testkit.lincheck.models.Reply;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The simulated state machine of one node: a map of registers behind the library's client-session
 * table ({@link SessionTable}), applied exactly as the driver's applier does: a session entry goes
 * through the table, which runs a command at most once; other entries (the simulation's plain
 * proposals, no-ops) are skipped. Not thread-safe.
 */
final class SimKv {

  /** A register command: {@code op} is a {@link KvOp.Put} or a {@link KvOp.Cas}. */
  record Command(KvOp<String, String> op) {

    Bytes encode() {
      if (op instanceof KvOp.Put<String, String> put) {
        return Bytes.ofUtf8("put|" + put.key() + "|" + put.value());
      } else if (op instanceof KvOp.Cas<String, String> cas) {
        return Bytes.ofUtf8("cas|" + cas.key() + "|" + cas.expected() + "|" + cas.update());
      }
      throw new AssertionError(op);
    }

    /** The value this command writes: unique per client operation in the simulation. */
    String value() {
      return op instanceof KvOp.Put<String, String> put
          ? put.value()
          : ((KvOp.Cas<String, String>) op).update();
    }

    static Command decode(Bytes data) {
      String[] f = data.toUtf8().split("\\|", -1);
      return new Command(f[0].equals("put") ? KvOp.put(f[1], f[2]) : KvOp.cas(f[1], f[2], f[3]));
    }
  }

  /** The session request in {@code e}, if it is a session entry. */
  static Optional<SessionEntry> session(LogEntry e) {
    return e.type() == EntryType.SESSION
        ? Optional.of(SessionEntry.decode(e.data()))
        : Optional.empty();
  }

  private final Map<String, String> data = new HashMap<>();
  SessionTable sessions = new SessionTable();
  // What the last applied entry did: a session outcome, or empty for other entries.
  private Optional<SessionTable.Outcome> lastOutcome = Optional.empty();

  void reset() {
    data.clear();
    sessions = new SessionTable();
    lastOutcome = Optional.empty();
  }

  /** Applies one committed entry. */
  void apply(LogEntry e) {
    lastOutcome = session(e).map(request -> sessions.apply(e.index(), request, this::execute));
  }

  /** What the last {@link #apply} did to the session table, if it applied a session entry. */
  Optional<SessionTable.Outcome> lastOutcome() {
    return lastOutcome;
  }

  private Bytes execute(Bytes command) {
    KvOp<String, String> op = Command.decode(command).op();
    if (op instanceof KvOp.Put<String, String> put) {
      data.put(put.key(), put.value());
      return Bytes.ofUtf8("ack");
    } else if (op instanceof KvOp.Cas<String, String> cas) {
      boolean holds = cas.expected().equals(data.get(cas.key()));
      if (holds) {
        data.put(cas.key(), cas.update());
      }
      return Bytes.ofUtf8(holds ? "cas:true" : "cas:false");
    }
    throw new AssertionError(op);
  }

  /** The client-visible reply a command's result stands for. */
  static Reply<String> reply(Bytes result) {
    String r = result.toUtf8();
    return r.equals("ack") ? Reply.ack() : Reply.applied(r.equals("cas:true"));
  }

  Optional<String> get(String key) {
    return Optional.ofNullable(data.get(key));
  }
}
