package io.jangada.raft.examples.kv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.examples.kv.Main;
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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The server's flags and its one-line start-up errors (exit status 2). */
class ServerCommandTest {

  private static final String PEERS =
      "n1=127.0.0.1:7101:8101,n2=127.0.0.1:7102:8102,n3=127.0.0.1:7103:8103";

  @TempDir Path temp;

  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine main = Main.commandLine().setErr(new PrintWriter(err, true));
    return main.execute(args);
  }

  private String error() {
    return err.toString();
  }

  private static ServerCommand.Plan plan(String... args) {
    ServerCommand command = new ServerCommand();
    new CommandLine(command).parseArgs(args);
    return command.plan();
  }

  @Test
  void everyNodeMayGetTheSamePeerList() {
    ServerCommand.Plan plan = plan("--id", "n2", "--peers", PEERS, "--data-dir", "d");
    assertThat(plan.self()).isEqualTo(NodeId.of("n2"));
    assertThat(plan.raftListen()).isEqualTo(new HostPort("127.0.0.1", 7102));
    assertThat(plan.httpListen()).isEqualTo(new HostPort("127.0.0.1", 8102));
    assertThat(plan.membership().voters()).hasSize(3);
    assertThat(plan.httpByNode().get(NodeId.of("n3")).toString())
        .isEqualTo("http://127.0.0.1:8103");
  }

  @Test
  void peersMayListOnlyTheOthers() {
    ServerCommand.Plan plan =
        plan(
            "--id", "n1",
            "--peers", "n2=127.0.0.1:7102:8102,n3=127.0.0.1:7103:8103",
            "--raft-listen", "127.0.0.1:7101",
            "--http-listen", "127.0.0.1:8101",
            "--data-dir", "d");
    assertThat(plan.membership().voters())
        .extracting(NodeId::value)
        .containsExactly("n1", "n2", "n3");
    assertThat(plan.members().get(NodeId.of("n1")).raft().port()).isEqualTo(7101);
  }

  @Test
  void theInitialConfigurationCarriesEveryNodesRaftAndHttpAddress() {
    ServerCommand.Plan plan = plan("--id", "n2", "--peers", PEERS, "--data-dir", "d");
    assertThat(plan.join()).isFalse();
    assertThat(plan.membership().address(NodeId.of("n3")))
        .hasValue("127.0.0.1:7103;http=127.0.0.1:8103");
    assertThat(MemberAddress.parse(plan.membership().address(NodeId.of("n1")).orElseThrow()))
        .isEqualTo(
            MemberAddress.of(new HostPort("127.0.0.1", 7101), new HostPort("127.0.0.1", 8101)));
  }

  /** n4 started in join mode with its own addresses only. */
  private static final String[] JOIN_N4 = {
    "--id",
    "n4",
    "--join",
    "--raft-listen",
    "127.0.0.1:7104",
    "--http-listen",
    "127.0.0.1:8104",
    "--data-dir",
    "d"
  };

  @Test
  void joinStartsEmptyWithItsOwnAddressesOnly() {
    ServerCommand.Plan plan = plan(JOIN_N4);
    assertThat(plan.join()).isTrue();
    assertThat(plan.membership().isEmpty()).isTrue();
    assertThat(plan.members()).containsOnlyKeys(NodeId.of("n4"));
    assertThat(plan.raftListen()).isEqualTo(new HostPort("127.0.0.1", 7104));
  }

  /**
   * A node added earlier restarts in join mode (run-cluster.sh does so) with the configuration from
   * its data directory: its "running" line names that configuration, and tells the operator to add
   * the node only while it has none.
   */
  @Test
  void aJoinModeNodeThatIsAMemberAlreadyIsNotToldToAddItself() {
    ServerCommand.Plan plan = plan(JOIN_N4);
    assertThat(ServerCommand.cluster(plan, plan.membership()))
        .startsWith("joining: add it with POST /v1/members {\"id\":\"n4\"");
    Membership member = Membership.ofVoters(NodeId.of("n1"), NodeId.of("n4"));
    assertThat(ServerCommand.cluster(plan, member))
        .isEqualTo(member.describe())
        .doesNotContain("add it");
  }

  @Test
  void joinConflictsAreOneLineErrors() {
    String[][] cases = {
      {"server", "--id", "n4", "--join", "--peers", PEERS, "--data-dir", "d"},
      {"server", "--id", "n4", "--join", "--raft-listen", "127.0.0.1:7104", "--data-dir", "d"},
      {"server", "--id", "n4", "--join", "--http-listen", "127.0.0.1:8104", "--data-dir", "d"},
      {"server", "--id", "n4", "--data-dir", "d"},
    };
    String[] expected = {
      "--join and --peers conflict", "--join needs --raft-listen and --http-listen",
      "--join needs --raft-listen and --http-listen", "give --peers",
    };
    for (int i = 0; i < cases.length; i++) {
      err.getBuffer().setLength(0);
      assertThat(run(cases[i])).as(String.join(" ", cases[i])).isEqualTo(2);
      assertThat(error().lines()).as(String.join(" ", cases[i])).hasSize(1);
      assertThat(error()).startsWith("error: ").contains(expected[i]);
    }
  }

  @Test
  void memberAddressesRoundTripAndRejectGarbage() {
    MemberAddress both = MemberAddress.parse("10.0.0.4:7104;http=10.0.0.4:8104");
    assertThat(both.raft()).isEqualTo(new HostPort("10.0.0.4", 7104));
    assertThat(both.http()).hasValue(new HostPort("10.0.0.4", 8104));
    assertThat(both.toString()).isEqualTo("10.0.0.4:7104;http=10.0.0.4:8104");
    MemberAddress raftOnly = MemberAddress.parse("10.0.0.4:7104");
    assertThat(raftOnly.http()).isEmpty();
    assertThat(raftOnly.toString()).isEqualTo("10.0.0.4:7104");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> MemberAddress.parse("10.0.0.4:7104;http=nohost"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nohost");
    io.jangada.raft.model.Membership config =
        io.jangada.raft.model.Membership.builder()
            .voter(NodeId.of("n1"), "10.0.0.1:7101;http=10.0.0.1:8101")
            .learner(NodeId.of("n4"), "10.0.0.4:7104")
            .build();
    io.jangada.raft.model.Membership forTransport = MemberAddress.raftOnly(config);
    assertThat(forTransport.address(NodeId.of("n1"))).hasValue("10.0.0.1:7101");
    assertThat(forTransport.address(NodeId.of("n4"))).hasValue("10.0.0.4:7104");
    assertThat(forTransport.learners()).containsExactly(NodeId.of("n4"));
  }

  @Test
  void badFlagsExitWith2AndOneLine() {
    String[][] cases = {
      {"server", "--peers", PEERS, "--data-dir", "d"},
      {"server", "--id", "n1", "--peers", "n1=127.0.0.1:7101", "--data-dir", "d"},
      {"server", "--id", "n1", "--peers", "n1=127.0.0.1:x:8101", "--data-dir", "d"},
      {"server", "--id", "n1", "--peers", "n1=h:1:2,n1=h:3:4", "--data-dir", "d"},
      {"server", "--id", "n9", "--peers", PEERS, "--data-dir", "d"},
      {"server", "--id", "n1", "--peers", PEERS, "--data-dir", "d", "--tick-ms", "0"},
      {"server", "--id", "n1", "--peers", PEERS, "--data-dir", "d", "--tick-ms", "fast"},
      {"server", "--id", "n1", "--peers", PEERS, "--data-dir", "d", "--http-listen", "nohost"},
      {"server", "--id", "n 1", "--peers", PEERS, "--data-dir", "d"},
      {"server", "--id", "n1", "--peers", PEERS, "--data-dir", "d", "--frobnicate"},
      {"server", "--id", "n1", "--peers", PEERS, "--data-dir", "d", "--drain-timeout-ms", "-1"},
    };
    for (String[] args : cases) {
      err.getBuffer().setLength(0);
      assertThat(run(args)).as(String.join(" ", args)).isEqualTo(2);
      assertThat(error().lines()).as(String.join(" ", args)).hasSize(1);
      assertThat(error()).startsWith("error: ");
    }
  }

  @Test
  void anHttpPortInUseExitsWith2() throws IOException {
    try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = busy.getLocalPort();
      int status =
          run(
              "server",
              "--id",
              "n1",
              "--peers",
              "n1=127.0.0.1:7101:" + port,
              "--data-dir",
              temp.resolve("data").toString());
      assertThat(status).isEqualTo(2);
      assertThat(error().strip()).isEqualTo("error: HTTP address 127.0.0.1:" + port + " is in use");
    }
  }

  @Test
  void aLockedDataDirExitsWith2() throws IOException {
    Path data = temp.resolve("locked");
    try (FileStorage holder = FileStorage.open(data, DataDirIdentity.of("kv", "n1"))) {
      assertThat(holder.directory()).isEqualTo(data);
      int status =
          run("server", "--id", "n1", "--peers", "n1=127.0.0.1:0:0", "--data-dir", data.toString());
      assertThat(status).isEqualTo(2);
      assertThat(error().lines()).hasSize(1);
      assertThat(error()).startsWith("error: cannot open --data-dir").contains("locked");
    }
  }

  @Test
  void anotherNodesDataDirExitsWith2NamingBothNodes() throws IOException {
    Path data = temp.resolve("n2-data");
    try (FileStorage storage = FileStorage.open(data, DataDirIdentity.of("kv", "n2"))) {
      assertThat(storage.identity().nodeId().value()).isEqualTo("n2");
    }
    int status =
        run("server", "--id", "n1", "--peers", "n1=127.0.0.1:0:0", "--data-dir", data.toString());
    assertThat(status).isEqualTo(2);
    assertThat(error())
        .startsWith("error: cannot open --data-dir")
        .contains("belongs to node n2 of cluster kv, not to node n1 of cluster kv");
  }

  @Test
  void aCorruptDataDirExitsWith2() throws IOException {
    Path data = temp.resolve("corrupt");
    try (FileStorage storage = FileStorage.open(data, DataDirIdentity.of("kv", "n1"))) {
      storage.state().save(new HardState(1, Optional.empty(), 0));
      List<LogEntry> entries = new ArrayList<>();
      for (int i = 1; i <= 100; i++) {
        entries.add(LogEntry.command(i, 1, Bytes.ofUtf8("command number " + i)));
      }
      storage.log().append(entries);
      storage.log().sync();
    }
    // Flip a byte in the middle of the largest file (the log segment): not a torn tail.
    Path largest;
    try (Stream<Path> files = Files.walk(data)) {
      largest =
          files
              .filter(Files::isRegularFile)
              .max(Comparator.comparingLong(ServerCommandTest::size))
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(largest);
    bytes[bytes.length / 3] ^= 0x5a;
    Files.write(largest, bytes);
    int status =
        run("server", "--id", "n1", "--peers", "n1=127.0.0.1:0:0", "--data-dir", data.toString());
    assertThat(status).isEqualTo(2);
    assertThat(error().lines()).hasSize(1);
    assertThat(error()).startsWith("error: cannot open --data-dir");
  }

  @Test
  void aDataDirThatLostItsSnapshotExitsWith2InPlainWords() throws IOException {
    Path data = temp.resolve("no-snapshot");
    try (FileStorage storage = FileStorage.open(data, DataDirIdentity.of("kv", "n1"))) {
      storage.state().save(new HardState(1, Optional.empty(), 5));
      List<LogEntry> entries = new ArrayList<>();
      for (int i = 1; i <= 8; i++) {
        entries.add(LogEntry.command(i, 1, Bytes.ofUtf8("command number " + i)));
      }
      storage.log().append(entries);
      storage.log().sync();
      storage.log().compactUpTo(5); // as after a snapshot at 5, whose file is then lost
    }
    int status =
        run("server", "--id", "n1", "--peers", "n1=127.0.0.1:0:0", "--data-dir", data.toString());
    assertThat(status).isEqualTo(2);
    assertThat(error().lines()).hasSize(1);
    assertThat(error())
        .startsWith("error: node n1 did not start: the log of node n1 starts after index 5")
        .doesNotContain("Exception");
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aDataDirThatIsAFileExitsWith2() throws IOException {
    Path file = Files.writeString(temp.resolve("file"), "x");
    int status =
        run("server", "--id", "n1", "--peers", "n1=127.0.0.1:0:0", "--data-dir", file.toString());
    assertThat(status).isEqualTo(2);
    assertThat(error()).startsWith("error: cannot create --data-dir");
  }
}
