package io.jangada.raft.examples.kv.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The chaos test's membership nemesis, through the HTTP membership API of the running nodes: the
 * node of a slot is removed from the configuration, killed, its data deleted, and a fresh node (a
 * new id: "replace a dead machine", or the same id: "remove and re-add") is started in join mode on
 * the slot's ports, added as a learner and promoted once it caught up. Each step retries refusals
 * that are expected under faults (no leader, another change in progress, not caught up) with
 * generous deadlines; an outcome-unknown answer is resolved by re-reading (a repeated remove
 * answers 404, a repeated add "member already").
 *
 * <p>Not thread-safe: used by the nemesis thread only.
 */
final class ChaosMembership {

  private final ChaosCluster cluster;
  private final Consumer<String> log;

  ChaosMembership(ChaosCluster cluster, Consumer<String> log) {
    this.cluster = cluster;
    this.log = log;
  }

  /**
   * Replaces the node of slot {@code slot} by a fresh, empty node {@code newId} (which may be the
   * old id). Returns false if the old node could not be removed in time (then nothing else changed;
   * {@link #ensureEverySlotVotes} repairs whatever a late answer did).
   */
  boolean replace(int slot, String newId) throws IOException, InterruptedException {
    String old = cluster.id(slot);
    if (!remove(old, slot)) {
      log.accept("membership: could not remove " + old + " in time; skipped");
      return false;
    }
    cluster.kill(slot);
    cluster.replaceNode(slot, newId);
    cluster.start(slot);
    return addAndPromote(slot);
  }

  /**
   * After healing: every slot's node must be a voter and nothing else a member. Removes members
   * that run in no slot, promotes learners, and rejoins slots whose node is not a member.
   */
  void ensureEverySlotVotes(long deadlineNanos) throws IOException, InterruptedException {
    while (System.nanoTime() < deadlineNanos) {
      Optional<JsonNode> config = configuration();
      if (config.isEmpty()) {
        TimeUnit.MILLISECONDS.sleep(300);
        continue;
      }
      Set<String> voters = ids(config.get().path("voters"));
      Set<String> members = new HashSet<>(voters);
      members.addAll(ids(config.get().path("learners")));
      members.addAll(ids(config.get().path("outgoingVoters")));
      boolean done = true;
      for (String member : members) {
        if (cluster.slotOf(member).isEmpty()) {
          log.accept("membership repair: remove " + member + " (runs in no slot)");
          remove(member, 0);
          done = false;
        }
      }
      for (int slot = 1; slot <= ChaosCluster.NODES; slot++) {
        String id = cluster.id(slot);
        if (voters.contains(id)) {
          continue;
        }
        done = false;
        if (members.contains(id)) {
          log.accept("membership repair: promote " + id);
          promote(slot);
        } else {
          log.accept("membership repair: " + id + " is not a member; rejoin it empty");
          cluster.kill(slot);
          cluster.replaceNode(slot, id);
          cluster.start(slot);
          addAndPromote(slot);
        }
      }
      if (done) {
        return;
      }
    }
    throw new AssertionError("the configuration was not repaired in time" + cluster.logTails(30));
  }

  private boolean remove(String id, int slot) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Optional<HttpResponse<String>> answer =
          cluster.members("DELETE", "/v1/members/" + id, "", slot);
      int status = answer.map(HttpResponse::statusCode).orElse(0);
      if (status == 200 || status == 404) {
        log.accept("membership: removed " + id + " (" + status + ")");
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(300);
    }
    return false;
  }

  private boolean addAndPromote(int slot) throws InterruptedException {
    String id = cluster.id(slot);
    String body =
        "{\"id\":\""
            + id
            + "\",\"raft\":\""
            + cluster.raftAddress(slot)
            + "\",\"http\":\""
            + cluster.httpAddress(slot)
            + "\"}";
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean added = false;
    while (!added && System.nanoTime() < deadline) {
      Optional<HttpResponse<String>> answer = cluster.members("POST", "/v1/members", body, slot);
      int status = answer.map(HttpResponse::statusCode).orElse(0);
      added = status == 200 || (status == 409 && answer.get().body().contains("member already"));
      if (!added) {
        TimeUnit.MILLISECONDS.sleep(300);
      }
    }
    if (!added) {
      log.accept("membership: could not add " + id + " in time");
      return false;
    }
    log.accept("membership: " + id + " added as a learner in slot " + slot);
    return promote(slot);
  }

  private boolean promote(int slot) throws InterruptedException {
    String id = cluster.id(slot);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      Optional<HttpResponse<String>> answer =
          cluster.members("POST", "/v1/members/" + id + "/promote", "", slot);
      int status = answer.map(HttpResponse::statusCode).orElse(0);
      if (status == 200 || (status == 409 && answer.get().body().contains("voter already"))) {
        log.accept("membership: " + id + " promoted to voter");
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
    log.accept("membership: could not promote " + id + " in time");
    return false;
  }

  /** The configuration as the leader knows it, if a leader answers. */
  private Optional<JsonNode> configuration() {
    return cluster
        .leader()
        .flatMap(leader -> cluster.json(leader, "/v1/members"))
        .filter(config -> config.path("leader").asText().equals(config.path("node").asText()));
  }

  private static Set<String> ids(JsonNode array) {
    Set<String> ids = new HashSet<>();
    array.forEach(id -> ids.add(id.asText()));
    return ids;
  }
}
