package io.jangada.raft;

import io.jangada.raft.model.Bytes;
import java.util.Objects;

/**
 * The outcome of a committed and applied proposal.
 *
 * @param index the log index of the entry
 * @param term the term in which it was appended
 * @param result what {@link StateMachine#apply} returned for it on this node
 */
public record Committed(long index, long term, Bytes result) {
  public Committed {
    Objects.requireNonNull(result, "result");
  }
}
