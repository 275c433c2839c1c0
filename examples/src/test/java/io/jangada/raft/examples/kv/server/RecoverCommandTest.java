package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.RaftNode;
import io.jangada.raft.ReadConsistency;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvCommand;
import io.jangada.raft.examples.kv.KvQuery;
import io.jangada.raft.examples.kv.KvResult;
import io.jangada.raft.examples.kv.KvStateMachine;
import io.jangada.raft.examples.kv.Main;
import io.jangada.raft.grpc.GrpcTransport;
import io.jangada.raft.model.Bytes;
import io.jangada.raft.model.HardState;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.storage.file.DataDirIdentity;
import io.jangada.raft.storage.file.FileStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code kv recover}: forces a configuration on a stopped node, and refuses when it must. */
class RecoverCommandTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final String UNSAFE = "--i-understand-this-is-unsafe";

  @TempDir Path temp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine main =
        Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    return main.execute(args);
  }

  /**
   * The data of n1 of a three-node cluster whose other two nodes are gone: two puts, unknown
   * commit.
   */
  private Path survivorData() throws IOException {
    Path data = temp.resolve("n1");
    try (FileStorage storage = FileStorage.open(data, DataDirIdentity.of("kv", "n1"))) {
      storage.state().save(new HardState(2, Optional.of(N1), 1));
      storage
          .log()
          .append(
              List.of(
                  LogEntry.membership(
                      1, 1, Membership.ofVoters(N1, NodeId.of("n2"), NodeId.of("n3"))),
                  LogEntry.noop(2, 2),
                  LogEntry.command(3, 2, put("a", "1")),
                  LogEntry.command(4, 2, put("b", "2"))));
      storage.log().sync();
    }
    return data;
  }

  private static Bytes put(String key, String value) {
    return KvCodec.encode(new KvCommand.Put(Bytes.ofUtf8(key), Bytes.ofUtf8(value)));
  }

  @Test
  void theRecoveredNodeLeadsAloneAndKeepsEveryWriteOfItsLog() throws Exception {
    Path data = survivorData();
    int status =
        run(
            "recover",
            "--id",
            "n1",
            "--data-dir",
            data.toString(),
            "--members",
            "n1=127.0.0.1:7101:8101",
            UNSAFE);
    assertThat(status).as(err.toString()).isZero();
    assertThat(err.toString()).contains("UNSAFE RECOVERY of node n1");
    assertThat(out.toString()).contains("recovered n1: snapshot at index 4 (term 2)");

    // Start it as the single voter it now is: it elects itself and serves both writes.
    try (FileStorage storage = FileStorage.open(data, DataDirIdentity.of("kv", "n1"))) {
      assertThat(storage.snapshots().latest().orElseThrow().membership().voters())
          .containsExactly(N1);
      assertThat(storage.snapshots().latest().orElseThrow().membership().address(N1))
          .hasValue("127.0.0.1:7101;http=127.0.0.1:8101");
      GrpcTransport grpc =
          GrpcTransport.builder()
              .self(N1)
              .clusterId("kv")
              .listen(new InetSocketAddress("127.0.0.1", 0))
              .build();
      try (RaftNode node =
          RaftNode.builder()
              .id(N1)
              .membership(Membership.ofVoters(N1, NodeId.of("n2"), NodeId.of("n3")))
              .stateMachine(new KvStateMachine())
              .logStorage(storage.log())
              .stateStorage(storage.state())
              .snapshotStorage(storage.snapshots())
              .transport(new MemberTransport(grpc))
              .tickInterval(Duration.ofMillis(10))
              .build()) {
        node.start().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!node.status().isLeader() && System.nanoTime() < deadline) {
          Thread.sleep(20); // real time: a real node on real timers elects itself
        }
        assertThat(node.status().isLeader()).as("n1 leads alone").isTrue();
        Bytes answer =
            node.query(
                    KvCodec.encode(new KvQuery.Get(Bytes.ofUtf8("b"))),
                    ReadConsistency.LINEARIZABLE)
                .get(30, TimeUnit.SECONDS);
        assertThat(KvCodec.decodeResult(answer)).isEqualTo(new KvResult.Value(Bytes.ofUtf8("2")));
        assertThat(node.status().membership().voters()).containsExactly(N1);
      } finally {
        grpc.close();
      }
    }
  }

  @Test
  void refusesARunningNodeABadMemberListAndAMissingConfirmation() throws IOException {
    Path data = survivorData();
    String dir = data.toString();

    assertThat(
            run("recover", "--id", "n1", "--data-dir", dir, "--members", "n1=127.0.0.1:7101:8101"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("refusing without " + UNSAFE);

    String[][] badMembers = {
      {"n2=127.0.0.1:7102:8102", "must list this node n1"},
      {"n1=127.0.0.1:7101", "expected id=host:raftPort:httpPort"},
      {"n1=127.0.0.1:7101:8101,n1=127.0.0.1:7102:8102", "listed twice"},
      {"", "no peers given"},
      {"n1=127.0.0.1:7101:7101", "same port 7101 for Raft and HTTP"},
      {"n1=127.0.0.1:7101:8101,n2=127.0.0.1:8101:8102", "n1 and n2 both use 127.0.0.1:8101"},
    };
    for (String[] bad : badMembers) {
      assertThat(run("recover", "--id", "n1", "--data-dir", dir, "--members", bad[0], UNSAFE))
          .as(bad[0])
          .isEqualTo(2);
      assertThat(err.toString()).as(bad[0]).startsWith("error: ").contains(bad[1]);
      assertThat(err.toString().lines()).as(bad[0]).hasSize(1);
    }

    try (FileStorage running = FileStorage.open(data, DataDirIdentity.of("kv", "n1"))) {
      assertThat(running.directory()).isEqualTo(data);
      assertThat(run("recover", "--id", "n1", "--data-dir", dir, "--members", "n1=h:1:2", UNSAFE))
          .isEqualTo(2);
      assertThat(err.toString()).startsWith("error: cannot recover --data-dir").contains("locked");
      assertThat(err.toString().lines()).hasSize(1);
    }

    assertThat(run("recover", "--id", "n2", "--data-dir", dir, "--members", "n2=h:1:2", UNSAFE))
        .isEqualTo(2);
    assertThat(err.toString()).contains("belongs to node n1");

    assertThat(
            run(
                "recover",
                "--id",
                "n1",
                "--data-dir",
                temp.resolve("nothing").toString(),
                "--members",
                "n1=h:1:2",
                UNSAFE))
        .isEqualTo(2);
    assertThat(err.toString()).contains("holds no node data");

    Path file = Files.writeString(temp.resolve("a-file"), "x");
    assertThat(
            run(
                "recover",
                "--id",
                "n1",
                "--data-dir",
                file.toString(),
                "--members",
                "n1=h:1:2",
                UNSAFE))
        .isEqualTo(2);
    assertThat(err.toString()).contains("is a file, not a node's data directory");

    // Nothing was changed by any refusal: no snapshot, the old log intact.
    try (FileStorage storage = FileStorage.open(data, DataDirIdentity.of("kv", "n1"))) {
      assertThat(storage.snapshots().latest()).isEmpty();
      assertThat(storage.log().lastIndex()).isEqualTo(4);
    }
  }
}
