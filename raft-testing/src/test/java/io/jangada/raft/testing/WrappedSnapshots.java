package io.jangada.raft.testing;

import io.jangada.raft.StateMachine;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.SnapshotMeta;
import java.io.IOException;
import java.io.InputStream;

/**
 * A {@link RecordingStateMachine} whose snapshot writers a test wraps (to hold, fail or count
 * them); apply and restore go to the recording machine unchanged. Thread-safe as the recording
 * machine is.
 */
abstract class WrappedSnapshots implements StateMachine {

  final RecordingStateMachine delegate = new RecordingStateMachine();

  /** The writer the node gets in place of the recording machine's {@code writer}. */
  abstract SnapshotWriter wrap(SnapshotWriter writer);

  @Override
  public Bytes apply(long index, Bytes command) {
    return delegate.apply(index, command);
  }

  @Override
  public SnapshotWriter snapshot() {
    return wrap(delegate.snapshot());
  }

  @Override
  public void restore(SnapshotMeta meta, InputStream data) throws IOException {
    delegate.restore(meta, data);
  }
}
