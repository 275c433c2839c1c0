package io.jangada.raft.core;

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
import java.util.StringJoiner;

/**
 * Stable one-line text for messages, entries and Readies, used by golden tests and debug logs, e.g.
 * {@code n1->n2 AppendRequest t2 prev=5/1 commit=5 entries=[6/2 CMD "x"]}. The format is part of
 * the golden files: change it only together with them.
 */
final class Describe {

  private Describe() {}

  static String message(Message m) {
    String head = m.from() + "->" + m.to() + " " + m.getClass().getSimpleName() + " t" + m.term();
    if (m instanceof VoteRequest v) {
      return head
          + " last="
          + v.lastLogIndex()
          + "/"
          + v.lastLogTerm()
          + (v.preVote() ? " pre" : "")
          + (v.transfer() ? " transfer" : "");
    } else if (m instanceof VoteResponse v) {
      return head + (v.preVote() ? " pre" : "") + (v.granted() ? " granted" : " rejected");
    } else if (m instanceof AppendRequest a) {
      return head
          + " prev="
          + a.prevLogIndex()
          + "/"
          + a.prevLogTerm()
          + " commit="
          + a.leaderCommit()
          + " entries="
          + entries(a.entries());
    } else if (m instanceof AppendResponse a) {
      return head
          + (a.success()
              ? " ok match=" + a.matchIndex()
              : " reject conflict=" + a.conflictIndex() + "/" + a.conflictTerm());
    } else if (m instanceof Heartbeat h) {
      return head + " commit=" + h.commit() + " round=" + h.round();
    } else if (m instanceof HeartbeatResponse h) {
      return head + " round=" + h.round();
    } else if (m instanceof InstallSnapshot s) {
      return head
          + " snap="
          + s.meta().index()
          + "/"
          + s.meta().term()
          + " offset="
          + s.offset()
          + " len="
          + s.data().size()
          + (s.last() ? " last" : "");
    } else if (m instanceof InstallSnapshotResponse s) {
      return head
          + " snap="
          + s.snapshotIndex()
          + " next="
          + s.nextOffset()
          + (s.success() ? " ok" : " failed");
    } else if (m instanceof TimeoutNow) {
      return head;
    } else if (m instanceof ReadIndexRequest r) {
      return head + " id=" + r.requestId();
    } else if (m instanceof ReadIndexResponse r) {
      return head
          + " id="
          + r.requestId()
          + " index="
          + r.readIndex()
          + (r.success() ? " ok" : " failed");
    } else if (m instanceof Message.ForwardProposal f) {
      return head + " request=" + f.request().size() + "B";
    } else {
      throw new AssertionError(m);
    }
  }

  /** Describes {@code m} only if the result is printed (for debug logging on hot paths). */
  static Object lazy(Message m) {
    return new Object() {
      @Override
      public String toString() {
        return message(m);
      }
    };
  }

  /** {@code 6/2 CMD "x"}, {@code 7/2 NOOP}, {@code 8/2 CONF voters=[n1, n2]}. */
  static String entry(LogEntry e) {
    String head = e.index() + "/" + e.term();
    if (e.type() == EntryType.NOOP) {
      return head + " NOOP";
    } else if (e.type() == EntryType.COMMAND) {
      return head + " CMD " + e.data();
    } else if (e.type() == EntryType.SESSION) {
      return head + " SESSION " + e.data().size() + "B";
    } else {
      String conf;
      try {
        conf = Membership.decode(e.data()).toString();
      } catch (IllegalArgumentException bad) {
        conf = "invalid " + e.data();
      }
      return head + " CONF " + conf;
    }
  }

  static String entries(List<LogEntry> entries) {
    StringJoiner out = new StringJoiner(", ", "[", "]");
    for (LogEntry e : entries) {
      out.add(entry(e));
    }
    return out.toString();
  }

  static String messages(List<Message> messages) {
    StringJoiner out = new StringJoiner("\n");
    for (Message m : messages) {
      out.add(message(m));
    }
    return out.toString();
  }

  /** A multi-line description of a Ready, one fact per line, empty parts left out. */
  static String ready(Ready r) {
    StringJoiner out = new StringJoiner("\n");
    r.hardState()
        .ifPresent(
            h ->
                out.add(
                    "hardState term="
                        + h.term()
                        + " vote="
                        + h.votedFor().map(Object::toString).orElse("-")
                        + " commit="
                        + h.commit()));
    if (!r.entries().isEmpty()) {
      out.add("entries " + entries(r.entries()));
    }
    if (!r.committed().isEmpty()) {
      out.add("committed " + entries(r.committed()));
    }
    for (Message m : r.messages()) {
      out.add("send " + message(m));
    }
    for (ReadState s : r.readStates()) {
      out.add(
          "read id="
              + s.requestId()
              + " index="
              + s.readIndex()
              + (s.success() ? " ok" : " failed"));
    }
    if (r.mustSync()) {
      out.add("mustSync");
    }
    return out.toString();
  }
}
