/**
 * A linearizability checker for recorded histories of concurrent operations.
 *
 * <p>Record what clients did with a {@link io.jangada.raft.testkit.lincheck.HistoryRecorder} (or
 * build a {@link io.jangada.raft.testkit.lincheck.History} by hand), describe the sequential
 * behaviour of the system with a {@link io.jangada.raft.testkit.lincheck.Model} (a register and a
 * key-value map are in {@link io.jangada.raft.testkit.lincheck.models}), then run a {@link
 * io.jangada.raft.testkit.lincheck.LinearizabilityChecker}:
 *
 * <pre>{@code
 * HistoryRecorder<KvOp<String, String>, Reply<String>> recorder = HistoryRecorder.create();
 * HistoryRecorder.Call<KvOp<String, String>, Reply<String>> call =
 *     recorder.invoke(clientId, KvOp.put("x", "1"));
 * try {
 *   client.put("x", "1");
 *   call.ok(Reply.ack());
 * } catch (TimeoutException e) {
 *   call.info(); // may or may not have taken effect
 * }
 * CheckResult<KvOp<String, String>, Reply<String>> result =
 *     LinearizabilityChecker.parallel(2)
 *         .check(recorder.history(), KvModel.create(), Duration.ofSeconds(30));
 * assertThat(result.verdict()).as(result.explanation()).isEqualTo(Verdict.LINEARIZABLE);
 * }</pre>
 *
 * <p>Operations end in one of three outcomes: {@code ok} (it took effect once, with the recorded
 * output), {@code fail} (it definitely did not take effect) and {@code info} (unknown: it may take
 * effect at any time after its invocation, or never). The checker is the Wing–Gong search with
 * Lowe's memoization in its just-in-time linearization form (as in Lowe's "Testing for
 * linearizability" and Porcupine), run separately for each partition of a P-compositional model
 * (for example each key of a map).
 */
package io.jangada.raft.testkit.lincheck;
