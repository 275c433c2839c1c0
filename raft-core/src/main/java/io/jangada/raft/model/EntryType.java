package io.jangada.raft.model;

/** What a log entry carries. */
public enum EntryType {
  /** A user command, handed to {@code StateMachine.apply}. */
  COMMAND,
  /** The empty entry a new leader appends at the start of its term (thesis §6.4, §5.4.2). */
  NOOP,
  /** A new cluster configuration: the data is {@link Membership#encode()}. */
  MEMBERSHIP,
  /**
   * A client-session operation (open, command with client id and sequence, close), encoded by the
   * library; its command reaches {@code StateMachine.apply} at most once.
   */
  SESSION
}
