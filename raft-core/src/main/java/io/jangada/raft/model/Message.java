package io.jangada.raft.model;

import java.util.List;
import java.util.Objects;

/**
 * The complete Raft wire protocol: a closed set of immutable records, one per message kind. Every
 * consumer (the core, a transport codec) dispatches over it in exactly one place, so adding a
 * message fails loudly everywhere it must be handled.
 *
 * <p>The compact constructors validate their input and throw {@link IllegalArgumentException} or
 * {@link NullPointerException}; a codec decoding untrusted bytes relies on that to reject malformed
 * frames.
 */
public sealed interface Message {

  /** The sender. */
  NodeId from();

  /** The addressee. */
  NodeId to();

  /** The sender's term (for a PreVote request: the term it would campaign in). */
  long term();

  /**
   * RequestVote (§5.2), or a PreVote probe (thesis §9.6) when {@code preVote} is set: a pre-vote
   * changes no state on either side.
   *
   * @param transfer set when the campaign was started by a leadership transfer (thesis §3.10), so
   *     voters skip the "I heard from a leader recently" check
   */
  record VoteRequest(
      NodeId from,
      NodeId to,
      long term,
      long lastLogIndex,
      long lastLogTerm,
      boolean preVote,
      boolean transfer)
      implements Message {
    public VoteRequest {
      Check.header(from, to, term);
      Check.nonNegative("lastLogIndex", lastLogIndex);
      Check.nonNegative("lastLogTerm", lastLogTerm);
    }
  }

  /** The answer to a {@link VoteRequest}; {@code preVote} echoes the request's. */
  record VoteResponse(NodeId from, NodeId to, long term, boolean preVote, boolean granted)
      implements Message {
    public VoteResponse {
      Check.header(from, to, term);
    }
  }

  /**
   * AppendEntries (§5.3): the entries following {@code prevLogIndex}, which the follower must hold
   * with {@code prevLogTerm}.
   */
  record AppendRequest(
      NodeId from,
      NodeId to,
      long term,
      long prevLogIndex,
      long prevLogTerm,
      List<LogEntry> entries,
      long leaderCommit)
      implements Message {
    public AppendRequest {
      Check.header(from, to, term);
      Check.nonNegative("prevLogIndex", prevLogIndex);
      Check.nonNegative("prevLogTerm", prevLogTerm);
      Check.nonNegative("leaderCommit", leaderCommit);
      entries = ImmutableArray.copyOf(entries);
      long expected = prevLogIndex + 1;
      for (int i = 0; i < entries.size(); i++) { // indexed: no iterator per message
        long index = entries.get(i).index();
        if (index != expected) {
          throw new IllegalArgumentException(
              "entries must be contiguous from " + (prevLogIndex + 1) + ", got " + index);
        }
        expected++;
      }
    }
  }

  /**
   * The answer to an {@link AppendRequest}.
   *
   * @param success whether the consistency check passed and the entries are now durable
   * @param matchIndex on success, the last index known to match the leader's log; on rejection, the
   *     {@code prevLogIndex} of the rejected request (0 if it was rejected for its term), or the
   *     commit index of a {@link Heartbeat} beyond the follower's log
   * @param conflictIndex on rejection, the index the leader should try next (fast backtracking)
   * @param conflictTerm on rejection, the follower's term at the conflicting index, or 0 if its log
   *     is too short
   */
  record AppendResponse(
      NodeId from,
      NodeId to,
      long term,
      boolean success,
      long matchIndex,
      long conflictIndex,
      long conflictTerm)
      implements Message {
    public AppendResponse {
      Check.header(from, to, term);
      Check.nonNegative("matchIndex", matchIndex);
      Check.nonNegative("conflictIndex", conflictIndex);
      Check.nonNegative("conflictTerm", conflictTerm);
    }
  }

  /**
   * A leader's heartbeat. Carries no entries and no consistency check; {@code commit} is at most
   * the follower's known match index, so it never makes a follower commit entries it may not hold.
   *
   * <p>Heartbeats are also how an idle follower learns a new commit index: a commit advance alone
   * sends no message; the next AppendRequest with entries or the next heartbeat carries it.
   *
   * <p>A follower whose log ends before {@code commit} lost entries it acknowledged (a cut tail):
   * besides the {@link HeartbeatResponse} it answers with a rejected {@link AppendResponse} ({@code
   * matchIndex} = {@code commit}, {@code conflictIndex} = its last index + 1), so an idle leader
   * probes it and resends them.
   *
   * @param round the leader's read round, echoed back to confirm leadership for ReadIndex (§6.4); 0
   *     for a heartbeat that starts no round (one that only brings the commit index to a follower
   *     whose forwarded read waits for it)
   */
  record Heartbeat(NodeId from, NodeId to, long term, long commit, long round) implements Message {
    public Heartbeat {
      Check.header(from, to, term);
      Check.nonNegative("commit", commit);
      Check.nonNegative("round", round);
    }
  }

  /** The answer to a {@link Heartbeat}, echoing its round. */
  record HeartbeatResponse(NodeId from, NodeId to, long term, long round) implements Message {
    public HeartbeatResponse {
      Check.header(from, to, term);
      Check.nonNegative("round", round);
    }
  }

  /**
   * One chunk of a snapshot (§7). Chunks of one snapshot are sent in offset order.
   *
   * @param offset the position of {@code data} within the snapshot
   * @param last whether this is the final chunk
   * @param checksum on the final chunk, the CRC32C of the whole snapshot; 0 otherwise
   */
  record InstallSnapshot(
      NodeId from,
      NodeId to,
      long term,
      SnapshotMeta meta,
      long offset,
      Bytes data,
      boolean last,
      long checksum)
      implements Message {
    public InstallSnapshot {
      Check.header(from, to, term);
      Objects.requireNonNull(meta, "meta");
      Check.nonNegative("offset", offset);
      Objects.requireNonNull(data, "data");
    }
  }

  /**
   * The answer to an {@link InstallSnapshot} chunk.
   *
   * @param nextOffset on success, the number of bytes received so far (where the next chunk
   *     starts); on failure, where the sender should restart (0 to start over)
   */
  record InstallSnapshotResponse(
      NodeId from, NodeId to, long term, long snapshotIndex, long nextOffset, boolean success)
      implements Message {
    public InstallSnapshotResponse {
      Check.header(from, to, term);
      Check.nonNegative("snapshotIndex", snapshotIndex);
      Check.nonNegative("nextOffset", nextOffset);
    }
  }

  /** Leadership transfer (thesis §3.10): tells an up-to-date follower to campaign at once. */
  record TimeoutNow(NodeId from, NodeId to, long term) implements Message {
    public TimeoutNow {
      Check.header(from, to, term);
    }
  }

  /** A follower asks the leader for a read index on behalf of a local read (thesis §6.4). */
  record ReadIndexRequest(NodeId from, NodeId to, long term, long requestId) implements Message {
    public ReadIndexRequest {
      Check.header(from, to, term);
    }
  }

  /**
   * The leader's answer to a {@link ReadIndexRequest}: once the follower has applied up to {@code
   * readIndex}, it may serve the read. {@code success} is false when the leader could not confirm
   * its leadership.
   */
  record ReadIndexResponse(
      NodeId from, NodeId to, long term, long requestId, long readIndex, boolean success)
      implements Message {
    public ReadIndexResponse {
      Check.header(from, to, term);
      Check.nonNegative("readIndex", readIndex);
    }
  }

  /**
   * A follower hands a client-session request to the leader it knows (the library's forwarding of
   * proposals). The leader appends it as a session entry if it still leads, else drops it; the
   * follower learns the outcome by applying the entry. Handled by the driver, not the consensus
   * core, and never changes anyone's term.
   *
   * @param request an encoded session request ({@code internal.SessionEntry})
   */
  record ForwardProposal(NodeId from, NodeId to, long term, Bytes request) implements Message {
    public ForwardProposal {
      Check.header(from, to, term);
      Objects.requireNonNull(request, "request");
    }
  }

  /** Argument checks shared by the records. */
  final class Check {
    private Check() {}

    static void header(NodeId from, NodeId to, long term) {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      nonNegative("term", term);
    }

    static void nonNegative(String name, long value) {
      if (value < 0) {
        throw new IllegalArgumentException(name + " must be >= 0, got " + value);
      }
    }
  }
}
