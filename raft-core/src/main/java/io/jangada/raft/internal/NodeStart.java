package io.jangada.raft.internal;

import io.jangada.raft.RaftException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.core.RaftCore;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.transport.Transport;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a node's start, each step on the lane it belongs to: on the loop lane, recovers the storage
 * ({@link Recovery}) and builds the core and the pipelines ({@link NodeWiring}); on the apply lane,
 * the state machine restores the newest snapshot, as {@code StateMachine} promises; back on the
 * loop lane, checks the transport's peers against the configuration, starts the transport and
 * announces the configuration to it.
 *
 * <p>The node's state stays with the loop, reached through {@link Loop}: before each loop-lane step
 * the start asks whether the node still starts (a close may overtake it while the snapshot is
 * restored); it hands over what it recovered and built as soon as it has it, and reports a failure
 * or that the node runs.
 *
 * <p>Thread: {@link #start} on any thread; the steps on the loop and apply lanes as above.
 */
final class NodeStart {

  /** The loop's part in a start. Each runs on the loop lane. */
  record Loop(
      // Whether the node still starts: not started before, not closed meanwhile.
      BooleanSupplier starting,
      // The error for a start that a close overtook.
      Supplier<RaftException> notRunning,
      // The storage is recovered (the snapshot to restore, the hard state), before the core opens.
      Consumer<Recovery.Recovered> recovered,
      // The core and the pipelines to drive from now on.
      Consumer<NodeWiring.Parts> opened,
      // The start failed on the error: the node fails, and so does the start's future.
      BiConsumer<CompletableFuture<Void>, Throwable> failed,
      // The node joined its cluster: it runs from now on (the start's future completes after).
      Runnable running) {}

  private final NodeOptions options;
  private final Executor loop;
  private final NodeWiring wiring;
  private final NodeProblems problems;
  private final MembershipChanges membershipChanges;
  private final Transport.Inbox inbox;
  private final Loop node;

  NodeStart(
      NodeOptions options,
      Executor loop,
      NodeWiring wiring,
      NodeProblems problems,
      MembershipChanges membershipChanges,
      Transport.Inbox inbox,
      Loop node) {
    this.options = options;
    this.loop = loop;
    this.wiring = wiring;
    this.problems = problems;
    this.membershipChanges = membershipChanges;
    this.inbox = inbox;
    this.node = node;
  }

  /**
   * Opens storage, restores the newest snapshot (on the apply lane), checks the transport's peers
   * against the configuration and starts the transport; completes when the node runs, or
   * exceptionally with what stopped the start.
   */
  CompletableFuture<Void> start() {
    CompletableFuture<Void> started = new CompletableFuture<>();
    loop.execute(
        () -> {
          if (!node.starting().getAsBoolean()) {
            started.completeExceptionally(
                new IllegalStateException("node " + options.id() + " was already started"));
            return;
          }
          NodeWiring.Parts parts;
          Optional<SnapshotMeta> snapshot;
          try {
            Recovery.Recovered recovered = Recovery.recover(options);
            node.recovered().accept(recovered);
            parts = wiring.open(recovered);
            node.opened().accept(parts);
            snapshot = recovered.snapshot();
          } catch (Exception | Error e) {
            node.failed().accept(started, e);
            return;
          }
          CompletableFuture<Void> restored =
              snapshot.isPresent()
                  ? parts.applier().restoreAtStart(snapshot.get())
                  : CompletableFuture.completedFuture(null);
          restored.whenComplete(
              (ok, error) -> loop.execute(() -> join(started, parts.core(), error)));
        });
    return started;
  }

  /** The state machine holds the snapshot: checks the peers and joins the cluster. Loop lane. */
  private void join(CompletableFuture<Void> started, RaftCore core, Throwable restoreError) {
    if (!node.starting().getAsBoolean()) {
      started.completeExceptionally(node.notRunning().get()); // closed while restoring
      return;
    }
    if (restoreError != null) {
      node.failed().accept(started, restoreError);
      return;
    }
    try {
      problems.checkAtStart(core.status().membership());
      options.transport().start(inbox);
      RaftStatus initial = core.status();
      membershipChanges.announce(initial.membership(), initial.membershipIndex());
    } catch (Exception | Error e) {
      node.failed().accept(started, e);
      return;
    }
    node.running().run();
    started.complete(null);
  }
}
