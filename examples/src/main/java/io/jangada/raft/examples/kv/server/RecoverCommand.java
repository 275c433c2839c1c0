package io.jangada.raft.examples.kv.server;

import io.jangada.raft.UnsafeRecovery;
import io.jangada.raft.examples.kv.KvStateMachine;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import io.jangada.raft.model.SnapshotMeta;
import io.jangada.raft.storage.file.DataDirIdentity;
import io.jangada.raft.storage.file.FileStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code kv recover}: the UNSAFE last resort after a majority of the cluster is lost for good.
 * Forces a new configuration ({@code --members}, in {@code --peers} form) onto the data directory
 * of one STOPPED surviving node, through {@link UnsafeRecovery#forceMembership}: every entry of its
 * log counts as committed, and {@code --members} is the configuration in force when it starts
 * again. Run it with the same {@code --members} on every survivor listed there, then start them
 * (with {@code --peers} equal to {@code --members}); never start a node that was left out with its
 * old data. Writes acknowledged only by the lost nodes are lost.
 *
 * <p>Refuses (exit status 2, nothing changed) without {@code --i-understand-this-is-unsafe}, when
 * the node runs (its data directory is locked), when the directory is missing or belongs to another
 * node or cluster, and when {@code --members} is malformed or does not list this node.
 */
@Command(
    name = "recover",
    mixinStandardHelpOptions = true,
    description = {
      "UNSAFE: forces a new configuration on a STOPPED node after a majority is lost for good.",
      "Example: kv recover --id n2 --data-dir cluster/n2/data \\",
      "           --members n2=127.0.0.1:7102:8102 --i-understand-this-is-unsafe"
    })
public final class RecoverCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--id", required = true, description = "The stopped node's id, e.g. n2.")
  String id;

  @Option(names = "--data-dir", required = true, description = "The stopped node's data dir.")
  Path dataDir;

  @Option(
      names = "--members",
      required = true,
      description =
          "The new configuration, all voters: id=host:raftPort:httpPort,... (must list --id).")
  String members;

  @Option(
      names = "--cluster-id",
      defaultValue = "kv",
      description = "The cluster the data dir belongs to (default: ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(
      names = "--i-understand-this-is-unsafe",
      description = "Required: acknowledges that acknowledged writes may be lost.")
  boolean confirmed;

  /** The configuration to force, validated; a bad flag raises a one-line ParameterException. */
  Membership target() {
    try {
      NodeId self = NodeId.of(id);
      SortedMap<NodeId, ClusterMember> listed = ClusterMember.parseAll(members);
      if (!listed.containsKey(self)) {
        throw new IllegalArgumentException(
            "--members must list this node " + self + " (it becomes a voter of the new cluster)");
      }
      Membership.Builder target = Membership.builder();
      listed.forEach(
          (member, endpoints) ->
              target.voter(
                  member, MemberAddress.of(endpoints.raft(), endpoints.http()).toString()));
      return target.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  @Override
  public Integer call() {
    Membership target = target();
    if (!confirmed) {
      throw new ParameterException(
          spec.commandLine(),
          "refusing without --i-understand-this-is-unsafe: this may lose acknowledged writes;"
              + " use it only when a majority of "
              + "the cluster is lost for good");
    }
    if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
      throw new ServerCommand.StartupException(
          "--data-dir " + dataDir + " is a file, not a node's data directory");
    }
    if (!Files.isDirectory(dataDir.resolve("log"))
        && !Files.isDirectory(dataDir.resolve("snapshots"))) {
      throw new ServerCommand.StartupException(
          "--data-dir " + dataDir + " holds no node data (no log, no snapshots)");
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    SnapshotMeta forced;
    // Opening takes the directory lock: a running node is refused before anything is printed.
    try (FileStorage storage =
        FileStorage.open(dataDir, new DataDirIdentity(clusterId, NodeId.of(id)))) {
      err.println("******************************************************************");
      err.println("UNSAFE RECOVERY of node " + id + " in " + dataDir);
      err.println("forcing the configuration " + target.describe());
      err.println("every entry in this node's log will count as committed; writes that only the");
      err.println("lost nodes held are gone. Never restart a left-out node with its old data.");
      err.println("******************************************************************");
      err.flush();
      forced =
          UnsafeRecovery.forceMembership(
              target, new KvStateMachine(), storage.log(), storage.state(), storage.snapshots());
    } catch (IOException e) {
      throw new ServerCommand.StartupException(
          "cannot recover --data-dir " + dataDir + ": " + e.getMessage());
    } catch (IllegalStateException e) {
      throw new ServerCommand.StartupException("nothing recovered: " + e.getMessage());
    }
    out.println(
        "recovered "
            + id
            + ": snapshot at index "
            + forced.index()
            + " (term "
            + forced.term()
            + ") with configuration "
            + target.describe());
    out.println(
        "next: run the same command on every other node of --members, then start them with"
            + " --peers "
            + members);
    out.flush();
    return 0;
  }
}
