package io.jangada.raft.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.HardState;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.StateStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract every {@link StateStorage} must meet. */
public abstract class StateStorageContract {

  @TempDir protected Path dir;

  /** Opens a storage over {@code dir}. */
  protected abstract StateStorage open(Path dir) throws IOException;

  /** Restarts {@code storage} (close or crash, then open again over the same durable data). */
  protected abstract StateStorage reopen(StateStorage storage, Path dir) throws IOException;

  @Test
  void aNewStorageHoldsTheInitialState() throws IOException {
    assertThat(open(dir).load()).isEqualTo(HardState.INITIAL);
  }

  @Test
  void savedStateIsLoadedBackAndSurvivesARestart() throws IOException {
    StateStorage storage = open(dir);
    HardState state = new HardState(7, Optional.of(new NodeId("node-é-2")), 42);
    storage.save(state);
    assertThat(storage.load()).isEqualTo(state);
    StateStorage again = reopen(storage, dir);
    assertThat(again.load()).isEqualTo(state);
    HardState next = new HardState(8, Optional.empty(), 43);
    again.save(next);
    assertThat(reopen(again, dir).load()).isEqualTo(next);
  }

  @Test
  void theLastSaveWins() throws IOException {
    StateStorage storage = open(dir);
    for (int i = 1; i <= 20; i++) {
      storage.save(new HardState(i, Optional.of(new NodeId("n" + i)), i - 1));
    }
    assertThat(reopen(storage, dir).load())
        .isEqualTo(new HardState(20, Optional.of(new NodeId("n20")), 19));
  }
}
