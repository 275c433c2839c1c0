package io.jangada.raft.examples.kv.demo;

import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvCommand;
import io.jangada.raft.examples.kv.KvResult;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.AppendResponse;
import io.jangada.raft.model.Message.Heartbeat;
import io.jangada.raft.model.Message.HeartbeatResponse;
import io.jangada.raft.model.Message.InstallSnapshot;
import io.jangada.raft.model.Message.InstallSnapshotResponse;
import io.jangada.raft.model.Message.ReadIndexRequest;
import io.jangada.raft.model.Message.ReadIndexResponse;
import io.jangada.raft.model.Message.TimeoutNow;
import io.jangada.raft.model.Message.VoteRequest;
import io.jangada.raft.model.Message.VoteResponse;
import java.util.List;

/**
 * Plain-language text for Raft messages, log entries and key-value commands, as the demo narrates
 * them: {@code AppendEntries 2/1 PUT greeting=hello (after 1/1, commit 1)}. The text never names
 * the sender or the addressee; the narrator puts them in front.
 *
 * <p>Thread-safe (stateless).
 */
final class MessageText {

  /** Entry lists longer than this are shortened to their first and last entries. */
  private static final int MAX_LISTED_ENTRIES = 2;

  private MessageText() {}

  /** The short name of a message kind, as it appears in the timeline's legend and filters. */
  static String kind(Message m) {
    if (m instanceof VoteRequest v) {
      return v.preVote() ? "PreVote" : "RequestVote";
    } else if (m instanceof VoteResponse v) {
      return v.preVote() ? "PreVote" : "RequestVote";
    } else if (m instanceof AppendRequest || m instanceof AppendResponse) {
      return "AppendEntries";
    } else if (m instanceof Heartbeat || m instanceof HeartbeatResponse) {
      return "Heartbeat";
    } else if (m instanceof InstallSnapshot || m instanceof InstallSnapshotResponse) {
      return "InstallSnapshot";
    } else if (m instanceof TimeoutNow) {
      return "TimeoutNow";
    } else if (m instanceof ReadIndexRequest || m instanceof ReadIndexResponse) {
      return "ReadIndex";
    } else {
      throw new AssertionError(m);
    }
  }

  /** What {@code m} says, without sender and addressee. */
  static String describe(Message m) {
    if (m instanceof VoteRequest v) {
      return (v.preVote() ? "PreVote request for term " : "RequestVote for term ")
          + v.term()
          + " (log ends "
          + v.lastLogIndex()
          + "/"
          + v.lastLogTerm()
          + (v.transfer() ? ", leadership transfer)" : ")");
    } else if (m instanceof VoteResponse v) {
      return (v.preVote() ? "pre-vote " : "vote ")
          + (v.granted() ? "granted" : "refused")
          + " (term "
          + v.term()
          + ")";
    } else if (m instanceof AppendRequest a) {
      return appendRequest(a);
    } else if (m instanceof AppendResponse a) {
      if (a.success()) {
        return "ack: log matches up to " + a.matchIndex() + " (term " + a.term() + ")";
      }
      return "reject: no match at "
          + a.conflictIndex()
          + (a.conflictTerm() == 0
              ? " (log too short)"
              : " (holds term " + a.conflictTerm() + " there)");
    } else if (m instanceof Heartbeat h) {
      return "heartbeat (term " + h.term() + ", commit " + h.commit() + ")";
    } else if (m instanceof HeartbeatResponse h) {
      return "heartbeat ack (term " + h.term() + ")";
    } else if (m instanceof InstallSnapshot s) {
      return "InstallSnapshot up to "
          + s.meta().index()
          + "/"
          + s.meta().term()
          + " (bytes "
          + s.offset()
          + ".."
          + (s.offset() + s.data().size())
          + (s.last() ? ", last chunk)" : ")");
    } else if (m instanceof InstallSnapshotResponse s) {
      return s.success()
          ? "snapshot up to " + s.snapshotIndex() + ": have " + s.nextOffset() + " bytes"
          : "snapshot up to " + s.snapshotIndex() + " refused, restart at " + s.nextOffset();
    } else if (m instanceof TimeoutNow t) {
      return "TimeoutNow: campaign at once (leadership transfer, term " + t.term() + ")";
    } else if (m instanceof ReadIndexRequest r) {
      return "ReadIndex request #" + r.requestId();
    } else if (m instanceof ReadIndexResponse r) {
      return "read index "
          + r.readIndex()
          + " for #"
          + r.requestId()
          + (r.success() ? "" : " refused");
    } else {
      throw new AssertionError(m);
    }
  }

  private static String appendRequest(AppendRequest a) {
    String where =
        "after " + a.prevLogIndex() + "/" + a.prevLogTerm() + ", commit " + a.leaderCommit();
    List<LogEntry> entries = a.entries();
    if (entries.isEmpty()) {
      return "AppendEntries, no entries (" + where + ")";
    }
    if (entries.size() <= MAX_LISTED_ENTRIES) {
      StringBuilder text = new StringBuilder("AppendEntries ");
      for (int i = 0; i < entries.size(); i++) {
        text.append(i == 0 ? "" : ", ").append(entry(entries.get(i)));
      }
      return text.append(" (").append(where).append(')').toString();
    }
    LogEntry first = entries.get(0);
    LogEntry last = entries.get(entries.size() - 1);
    return "AppendEntries "
        + first.index()
        + ".."
        + last.index()
        + ": "
        + entry(first)
        + " ... "
        + entry(last)
        + " ("
        + entries.size()
        + " entries "
        + where
        + ")";
  }

  /** {@code 2/1 PUT greeting=hello}, {@code 1/1 no-op}, {@code 5/2 config voters=[n1, n2, n3]}. */
  static String entry(LogEntry e) {
    String head = e.index() + "/" + e.term() + " ";
    if (e.type() == EntryType.NOOP) {
      return head + "no-op";
    } else if (e.type() == EntryType.COMMAND) {
      return head + command(e.data());
    } else {
      Membership m = Membership.decode(e.data());
      return head
          + "config voters="
          + m.voters()
          + (m.learners().isEmpty() ? "" : " learners=" + m.learners())
          + (m.isJoint() ? " outgoing=" + m.outgoingVoters() : "");
    }
  }

  /** A key-value command as text: {@code PUT k=v}, {@code DELETE k}, {@code CAS k old->new}. */
  static String command(Bytes data) {
    KvCommand command;
    try {
      command = KvCodec.decodeCommand(data);
    } catch (KvCodec.MalformedException e) {
      return "(not a key-value command: " + data.size() + " bytes)";
    }
    if (command instanceof KvCommand.Put put) {
      return "PUT " + put.key().toUtf8() + "=" + put.value().toUtf8();
    } else if (command instanceof KvCommand.Delete delete) {
      return "DELETE " + delete.key().toUtf8();
    } else if (command instanceof KvCommand.Cas cas) {
      return "CAS "
          + cas.key().toUtf8()
          + " "
          + cas.expected().map(Bytes::toUtf8).orElse("(absent)")
          + "->"
          + cas.value().toUtf8();
    }
    throw new AssertionError(command);
  }

  /** A state machine result as text: {@code OK}, {@code hello}, {@code not found}, … */
  static String result(Bytes data) {
    KvResult result;
    try {
      result = KvCodec.decodeResult(data);
    } catch (KvCodec.MalformedException e) {
      return "(unreadable result)";
    }
    if (result instanceof KvResult.Ok) {
      return "OK";
    } else if (result instanceof KvResult.Value value) {
      return value.value().toUtf8();
    } else if (result instanceof KvResult.NotFound) {
      return "not found";
    } else if (result instanceof KvResult.ConditionFailed failed) {
      return "condition failed (holds "
          + failed.current().map(Bytes::toUtf8).orElse("nothing")
          + ")";
    } else if (result instanceof KvResult.Error error) {
      return "error: " + error.message();
    }
    throw new AssertionError(result);
  }
}
