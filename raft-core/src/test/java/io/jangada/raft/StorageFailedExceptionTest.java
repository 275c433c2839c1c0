package io.jangada.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** What an application reads from a storage failure to tell its operator in one line. */
class StorageFailedExceptionTest {

  @Test
  void aFullDiskGivesTheSystemsReasonAndTheFile() {
    StorageFailedException e =
        new StorageFailedException(
            "node n1 stopped: its storage failed persisting the log",
            new FileSystemException("/data/n1/log/log-1.open", null, "No space left on device"));

    assertThat(e.ioReason()).hasValue("No space left on device (file /data/n1/log/log-1.open)");
  }

  @Test
  void anIoErrorDeeperInTheCausesIsFoundThroughUncheckedWrappers() {
    StorageFailedException e =
        new StorageFailedException(
            "failed",
            new IllegalStateException(
                new UncheckedIOException(new AccessDeniedException("/data/n1/state.tmp"))));

    assertThat(e.ioReason()).hasValue("permission denied (file /data/n1/state.tmp)");
  }

  @Test
  void aPlainIoErrorGivesItsMessage() {
    StorageFailedException e =
        new StorageFailedException("failed", new IOException("Input/output error"));

    assertThat(e.ioReason()).hasValue("Input/output error");
  }

  @Test
  void aFailureWithoutAnIoErrorHasNoIoReason() {
    assertThat(new StorageFailedException("bug", new IllegalStateException("bad index")).ioReason())
        .isEmpty();
    assertThat(new StorageFailedException("no cause", null).ioReason()).isEmpty();
  }
}
