package io.jangada.raft.internal;

import io.jangada.raft.Committed;
import io.jangada.raft.IndeterminateResultException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.core.ProposeResult;
import io.jangada.raft.core.RaftCore;
import io.jangada.raft.model.EntryType;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.transport.Transport;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop's side of client sessions: a leader stamps a session request with its clock and session
 * limits and appends it; a follower (with forwarding on) sends it to the leader it knows as a
 * {@link Message.ForwardProposal} and waits to apply it itself ({@link SessionWaiters}); a leader
 * receiving a forwarded request appends it like its own.
 *
 * <p>Thread: the loop lane only.
 */
final class SessionProposer {

  private static final Logger log = LoggerFactory.getLogger(SessionProposer.class);

  private final NodeOptions options;
  private final NodeId id;
  private final ProposalTracker proposals;
  private final SessionWaiters forwarded;
  private final Transport transport;
  // The last stamp this node handed out: stamps never go back while it leads.
  private long lastStamp;

  SessionProposer(NodeOptions options, ProposalTracker proposals, SessionWaiters forwarded) {
    this.options = options;
    this.id = options.id();
    this.proposals = proposals;
    this.forwarded = forwarded;
    this.transport = options.transport();
  }

  /** Proposes {@code request} for a local caller; {@code tick} is the loop's tick count. */
  void propose(
      RaftCore core, SessionEntry request, CompletableFuture<Committed> future, long tick) {
    ProposeResult result = core.propose(stamp(request).encode(), EntryType.SESSION);
    if (result instanceof ProposeResult.Accepted accepted) {
      proposals.register(accepted.index(), accepted.term(), future);
    } else if (result instanceof ProposeResult.NotLeader notLeader) {
      if (options.forwardSessionProposals() && notLeader.leaderHint().isPresent()) {
        NodeId leader = notLeader.leaderHint().get();
        forwarded.register(request.key(), future, tick + options.readTimeoutTicks());
        transport.send(
            new Message.ForwardProposal(id, leader, core.statusShape().term(), request.encode()));
      } else {
        future.completeExceptionally(new NotLeaderException(id, notLeader.leaderHint()));
      }
    } else if (result instanceof ProposeResult.Dropped dropped) {
      future.completeExceptionally(
          new ProposalDroppedException(NodeErrors.dropReason(dropped), dropped.reason()));
    } else {
      throw new AssertionError(result);
    }
  }

  /** A follower forwarded a request: appended if this node leads, else dropped. */
  void onForwarded(RaftCore core, Message.ForwardProposal m) {
    SessionEntry request;
    try {
      request = SessionEntry.decode(m.request());
    } catch (IllegalArgumentException bad) {
      log.debug("node {} drops a malformed forwarded request from {}", id, m.from());
      return;
    }
    if (m.request().size() > options.maxProposalBytes() + SessionEntry.HEADER_BYTES) {
      log.debug("node {} drops an oversized forwarded request from {}", id, m.from());
      return;
    }
    ProposeResult result = core.propose(stamp(request).encode(), EntryType.SESSION);
    log.debug("node {} proposes a request forwarded by {}: {}", id, m.from(), result);
  }

  /** Fails forwarded requests whose time is up. */
  void expire(long tick) {
    forwarded.expire(
        tick,
        () ->
            new IndeterminateResultException(
                "node "
                    + id
                    + " forwarded the request to the leader but did not apply it in time; it may"
                    + " or may not take effect (retry with the same session sequence)"));
  }

  private SessionEntry stamp(SessionEntry request) {
    lastStamp = Math.max(lastStamp, options.scheduler().currentTimeMillis());
    return request.stamped(lastStamp, options.sessionLimits());
  }
}
