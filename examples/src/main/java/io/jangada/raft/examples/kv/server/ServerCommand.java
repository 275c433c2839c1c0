package io.jangada.raft.examples.kv.server;

import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kv server}: one node of the key-value cluster, in its own process. Raft traffic goes over
 * gRPC (raft-grpc), the log and snapshots to {@code --data-dir} (raft-storage-file), clients talk
 * HTTP/JSON ({@link KvHttpServer}). Runs until SIGTERM/SIGINT; then it drains the HTTP server (new
 * requests get 503, those in flight are answered, at most {@code --drain-timeout-ms}), then, if it
 * leads, hands leadership to an up-to-date follower (at most one election timeout) so that a
 * rolling restart costs no election, and stops. If its storage or state machine fails (a full disk,
 * say), it logs why and exits with status {@value #EXIT_NODE_FAILED} instead of lingering as a node
 * that fails every request.
 *
 * <p>{@code --peers} lists the cluster as {@code id=host:raftPort:httpPort}, comma-separated. It
 * may list every node including this one (the same string on every node, as run-cluster.sh does),
 * or only the others; then this node's addresses come from {@code --raft-listen} and {@code
 * --http-listen}. Those two flags may also override the bind address for this node (for example
 * {@code 0.0.0.0:7101}).
 */
@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Runs one node of the replicated key-value store.")
public final class ServerCommand implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

  @Spec CommandSpec spec;

  @Option(names = "--id", required = true, description = "This node's id, e.g. n1.")
  String id;

  @Option(
      names = "--peers",
      description =
          "The cluster: id=host:raftPort:httpPort,... (all nodes, or only the others)."
              + " Required unless --join.")
  String peers;

  @Option(
      names = "--join",
      description =
          "Start empty and wait to be added to a running cluster (POST /v1/members on any node);"
              + " needs --raft-listen and --http-listen, and no --peers.")
  boolean join;

  @Option(names = "--raft-listen", description = "host:port for Raft (gRPC) traffic.")
  String raftListen;

  @Option(names = "--http-listen", description = "host:port for the client HTTP API.")
  String httpListen;

  @Option(names = "--data-dir", required = true, description = "Where the log and snapshots live.")
  Path dataDir;

  @Option(
      names = "--cluster-id",
      defaultValue = "kv",
      description = "Rejects Raft traffic from another cluster (default: ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(
      names = "--tick-ms",
      defaultValue = "50",
      description =
          "Raft tick length in ms; election timeout = 10 ticks (default: ${DEFAULT-VALUE}).")
  int tickMs;

  @Option(
      names = "--max-value-bytes",
      defaultValue = "1048576",
      description = "Largest value accepted (default: ${DEFAULT-VALUE}).")
  int maxValueBytes;

  @Option(
      names = "--request-timeout-ms",
      defaultValue = "10000",
      description =
          "How long a client request may wait for the cluster (default: ${DEFAULT-VALUE}).")
  long requestTimeoutMs;

  @Option(
      names = "--drain-timeout-ms",
      defaultValue = "5000",
      description =
          "On SIGTERM, how long the requests in flight may take to be answered before the node"
              + " closes; new requests get 503 meanwhile (default: ${DEFAULT-VALUE}).")
  long drainTimeoutMs;

  /** What the server runs on, once resolved from the flags. */
  record Plan(
      NodeId self,
      HostPort raftListen,
      HostPort httpListen,
      SortedMap<NodeId, ClusterMember> members,
      Membership membership,
      boolean join) {

    Map<NodeId, URI> httpByNode() {
      Map<NodeId, URI> urls = new TreeMap<>();
      members.forEach((id, member) -> urls.put(id, member.httpUri()));
      return urls;
    }
  }

  /** Validates the flags into a {@link Plan}; a bad flag raises a one-line ParameterException. */
  Plan plan() {
    try {
      NodeId self = NodeId.of(id);
      if (join) {
        return joinPlan(self);
      }
      if (peers == null) {
        throw new IllegalArgumentException(
            "give --peers (the cluster's nodes), or --join to start empty and be added later");
      }
      TreeMap<NodeId, ClusterMember> members = new TreeMap<>(ClusterMember.parseAll(peers));
      ClusterMember listed = members.get(self);
      HostPort raft =
          raftListen != null ? HostPort.parse(raftListen) : listed == null ? null : listed.raft();
      HostPort http =
          httpListen != null ? HostPort.parse(httpListen) : listed == null ? null : listed.http();
      if (raft == null || http == null) {
        throw new IllegalArgumentException(
            "node " + self + " is not in --peers: give --raft-listen and --http-listen");
      }
      if (listed == null) {
        members.put(self, new ClusterMember(self, raft, http));
      }
      checkCommon();
      Membership.Builder membership = Membership.builder();
      members.forEach(
          (member, endpoints) ->
              membership.voter(
                  member, MemberAddress.of(endpoints.raft(), endpoints.http()).toString()));
      return new Plan(self, raft, http, members, membership.build(), false);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** --join: no peers; this node's addresses come from the listen flags. */
  private Plan joinPlan(NodeId self) {
    if (peers != null) {
      throw new IllegalArgumentException(
          "--join and --peers conflict: a joining node learns the cluster from the leader"
              + " (drop --peers, or drop --join to start a new cluster)");
    }
    if (raftListen == null || httpListen == null) {
      throw new IllegalArgumentException(
          "--join needs --raft-listen and --http-listen (the addresses to give when adding it)");
    }
    HostPort raft = HostPort.parse(raftListen);
    HostPort http = HostPort.parse(httpListen);
    checkCommon();
    TreeMap<NodeId, ClusterMember> members = new TreeMap<>();
    members.put(self, new ClusterMember(self, raft, http));
    return new Plan(self, raft, http, members, Membership.empty(), true);
  }

  private void checkCommon() {
    if (tickMs < 1 || tickMs > 10_000) {
      throw new IllegalArgumentException("--tick-ms must be 1..10000, got " + tickMs);
    }
    if (maxValueBytes < 0) {
      throw new IllegalArgumentException("--max-value-bytes must be >= 0");
    }
    if (requestTimeoutMs < 1) {
      throw new IllegalArgumentException("--request-timeout-ms must be >= 1");
    }
    if (drainTimeoutMs < 0) {
      throw new IllegalArgumentException("--drain-timeout-ms must be >= 0");
    }
    if (clusterId.isBlank()) {
      throw new IllegalArgumentException("--cluster-id must not be empty");
    }
  }

  @Override
  public Integer call() throws Exception {
    Plan plan = plan();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new StartupException("cannot create --data-dir " + dataDir + ": " + e.getMessage());
    }
    // Bind HTTP first: a port in use then fails before any storage is touched.
    LazyNode lazy = new LazyNode();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KvHttpServer http;
    try {
      http =
          KvHttpServer.start(
              plan.httpListen(),
              plan.self(),
              lazy,
              plan.httpByNode(),
              new KvHttpServer.Options(
                  maxValueBytes,
                  Duration.ofMillis(requestTimeoutMs),
                  64,
                  Duration.ofMillis(drainTimeoutMs)),
              registry::scrape);
    } catch (BindException e) {
      throw new StartupException("HTTP address " + plan.httpListen() + " is in use");
    }
    RaftWiring.Running running;
    try {
      running =
          RaftWiring.start(
              plan, dataDir, clusterId, Duration.ofMillis(tickMs), maxValueBytes, registry);
    } catch (StartupException e) {
      http.close();
      throw e;
    }
    lazy.set(running.node());
    AtomicBoolean closed = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (closed.compareAndSet(false, true)) {
            // The requests in flight are answered first: they need the node, and a leader that
            // handed over first would turn its writes in flight into indeterminate ones.
            http.drain();
            running.close(); // a leader hands leadership over first (RaftNode.close)
            http.close();
          }
        };
    CompletableFuture<Integer> exitStatus = new CompletableFuture<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("node {} stopping", plan.self());
                  stop.run();
                  exitStatus.complete(0);
                },
                "kv-shutdown"));
    running
        .raftNode()
        .stopped()
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                NodeFailureLog.log(log, plan.self(), dataDir, EXIT_NODE_FAILED, failure);
                exitStatus.complete(EXIT_NODE_FAILED);
              }
            });
    log.info(
        "node {} running: raft {}, http http://{}, data {}, cluster {}",
        plan.self(),
        plan.raftListen(),
        plan.httpListen(),
        dataDir,
        cluster(plan, running.raftNode().status().membership()));
    int status = exitStatus.get();
    stop.run();
    return status;
  }

  /**
   * The cluster part of the "running" line: the configuration in force, or, for a node in join mode
   * that has none yet, how to add it. A node added earlier restarts in join mode too
   * (run-cluster.sh does so) with the configuration from its data directory: it is a member
   * already, and telling the operator to add it would only earn a 409.
   */
  static String cluster(Plan plan, Membership inForce) {
    if (!plan.join() || !inForce.isEmpty()) {
      return inForce.describe();
    }
    return "joining: add it with POST /v1/members {\"id\":\""
        + plan.self()
        + "\",\"raft\":\""
        + plan.raftListen()
        + "\",\"http\":\""
        + plan.httpListen()
        + "\"} on any member";
  }

  /**
   * The exit status when the node fails (its storage or state machine failed): the process exits
   * rather than lingering as a node that answers every request with an error.
   */
  public static final int EXIT_NODE_FAILED = 1;

  /** A start-up failure with a one-line message (exit status 2). */
  public static final class StartupException extends RuntimeException {
    public StartupException(String message) {
      super(message);
    }
  }
}
