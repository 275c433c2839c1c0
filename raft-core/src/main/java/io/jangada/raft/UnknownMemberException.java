package io.jangada.raft;

import io.jangada.raft.model.NodeId;
import java.util.Objects;

/** The node named in a membership change is not a member of the configuration in force. */
public final class UnknownMemberException extends MembershipChangeException {

  private final transient NodeId node;

  /** {@code node} is not a member; {@code message} names the configuration. */
  public UnknownMemberException(NodeId node, String message) {
    super(Reason.UNKNOWN_MEMBER, message);
    this.node = Objects.requireNonNull(node, "node");
  }

  /** The node that is not a member. */
  public NodeId node() {
    return node;
  }
}
