package io.jangada.raft;

import io.jangada.raft.model.Membership;
import java.util.Objects;

/**
 * A configuration that is committed: the result of a completed membership change.
 *
 * @param membership the configuration (never joint)
 * @param index the index of its log entry; the {@code expectedConfigIndex} of the next {@link
 *     RaftNode#changeMembership}
 */
public record CommittedMembership(Membership membership, long index) {

  public CommittedMembership {
    Objects.requireNonNull(membership, "membership");
  }
}
