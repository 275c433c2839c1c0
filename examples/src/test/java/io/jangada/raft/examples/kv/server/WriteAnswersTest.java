package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.Committed;
import io.jangada.raft.ProposalDroppedException;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvResult;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.NodeId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Answers to writes are written by the answering thread, in the order the outcomes arrive. */
class WriteAnswersTest {

  private static final NodeId SELF = NodeId.of("n1");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void answersRunInTheirOrderOnTheAnsweringThreadNotOnTheCaller() throws Exception {
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1_000);
    try (WriteAnswers answers = new WriteAnswers("kv-answer-test")) {
      for (int i = 0; i < 1_000; i++) {
        int n = i;
        answers.answer(
            () -> {
              order.add(n);
              threads.add(Thread.currentThread().getName());
              done.countDown();
            });
      }
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      expected.add(i);
    }
    assertThat(order).isEqualTo(expected);
    assertThat(threads).containsOnly("kv-answer-test");
  }

  @Test
  void afterCloseAnAnswerRunsOnTheCallerInsteadOfBeingLost() {
    WriteAnswers answers = new WriteAnswers("kv-answer-test");
    answers.close();
    List<String> threads = new ArrayList<>();
    answers.answer(() -> threads.add(Thread.currentThread().getName()));
    assertThat(threads).containsExactly(Thread.currentThread().getName());
  }

  /**
   * A node whose proposals one "apply" thread completes in the order they were proposed, with
   * increasing indexes; every seventh is refused as a full backlog.
   */
  private static final class InOrderNode extends LeaderAloneNode {

    InOrderNode() {
      super(SELF);
    }

    void apply(int count) throws InterruptedException {
      Bytes ok = KvCodec.encode(new KvResult.Ok());
      for (long index = 1; index <= count; index++) {
        CompletableFuture<Committed> next = proposed.poll(10, TimeUnit.SECONDS);
        if (next == null) {
          return;
        }
        if (index % 7 == 0) {
          next.completeExceptionally(new ProposalDroppedException("backlog full"));
        } else {
          next.complete(new Committed(index, 3, ok));
        }
      }
    }

    @Override
    public CompletableFuture<Bytes> query(Bytes request, ReadConsistency consistency) {
      return new CompletableFuture<>();
    }
  }

  @Test
  void concurrentWritesEachGetTheirOwnOutcomeInCommitOrderPerClient() throws Exception {
    int clients = 8;
    int writesPerClient = 25;
    InOrderNode node = new InOrderNode();
    ExecutorService pool = Executors.newFixedThreadPool(clients + 1);
    try (KvHttpServer server =
        KvHttpServer.start(
            new HostPort("127.0.0.1", 0),
            SELF,
            node,
            Map.of(),
            new KvHttpServer.Options(1024, Duration.ofSeconds(10), 4))) {
      Future<?> applier =
          pool.submit(
              () -> {
                node.apply(clients * writesPerClient);
                return null;
              });
      List<Future<List<JsonNode>>> answers = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        answers.add(
            pool.submit(
                () -> {
                  HttpClient http = HttpClient.newHttpClient();
                  List<JsonNode> outcomes = new ArrayList<>();
                  for (int i = 0; i < writesPerClient; i++) {
                    HttpResponse<String> response =
                        http.send(
                            HttpRequest.newBuilder(
                                    URI.create(
                                        "http://127.0.0.1:"
                                            + server.port()
                                            + "/v1/kv/c"
                                            + client
                                            + "-"
                                            + i))
                                .PUT(HttpRequest.BodyPublishers.ofString("v"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    JsonNode body = JSON.readTree(response.body());
                    ((com.fasterxml.jackson.databind.node.ObjectNode) body)
                        .put("status", response.statusCode())
                        .put("retryAfter", response.headers().firstValue("Retry-After").orElse(""));
                    outcomes.add(body);
                  }
                  return outcomes;
                }));
      }
      List<Long> allIndexes = new ArrayList<>();
      int refused = 0;
      for (Future<List<JsonNode>> client : answers) {
        long last = 0;
        for (JsonNode outcome : client.get(30, TimeUnit.SECONDS)) {
          if (outcome.get("status").asInt() == 200) {
            long index = outcome.get("index").asLong();
            assertThat(index)
                .as("a client's writes are answered in commit order")
                .isGreaterThan(last);
            assertThat(index % 7).isNotZero();
            assertThat(outcome.get("term").asLong()).isEqualTo(3);
            last = index;
            allIndexes.add(index);
          } else {
            assertThat(outcome.get("status").asInt()).as(outcome.toString()).isEqualTo(503);
            assertThat(outcome.get("retryAfter").asText()).isEqualTo("1");
            assertThat(outcome.get("error").asText()).contains("backlog full");
            refused++;
          }
        }
      }
      applier.get(10, TimeUnit.SECONDS);
      int total = clients * writesPerClient;
      assertThat(refused).isEqualTo(total / 7);
      assertThat(allIndexes).doesNotHaveDuplicates().hasSize(total - total / 7);
    } finally {
      pool.shutdownNow();
    }
  }
}
