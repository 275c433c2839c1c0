package io.jangada.raft.examples.kv.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jangada.raft.CommittedMembership;
import io.jangada.raft.ConcurrentMembershipChangeException;
import io.jangada.raft.LearnerNotCaughtUpException;
import io.jangada.raft.MembershipChangeException;
import io.jangada.raft.NotLeaderException;
import io.jangada.raft.RaftStatus;
import io.jangada.raft.UnknownMemberException;
import io.jangada.raft.model.Membership;
import io.jangada.raft.model.NodeId;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The membership routes of the HTTP API:
 *
 * <pre>
 * GET    /v1/members                 → 200 the configuration this node knows (any node answers)
 * POST   /v1/members                 body {"id":"n4","raft":"host:port","http":"host:port"}
 *                                    → 200 the committed configuration (n4 is now a learner)
 * POST   /v1/members/{id}/promote    → 200 (the learner is now a voter) | 409 not caught up yet
 * DELETE /v1/members/{id}            → 200 (the member is gone)
 * </pre>
 *
 * Changes run on the leader; a follower relays them there as it does writes. Errors: 400 for a
 * malformed body, id or address; 404 for a node that is not a member; 409 when another change is in
 * progress, the configuration changed meanwhile, the change conflicts with the configuration
 * (already a member, already a voter) or the learner has not caught up; 503 with no leader; 504
 * when the outcome is unknown (read the configuration again). The members' HTTP endpoints travel in
 * the configuration itself ({@link MemberAddress}).
 *
 * <p>Runs on an HTTP worker thread and blocks it up to the request timeout.
 */
final class MembersApi {

  static final String PREFIX = "/v1/members";
  private static final String CHANGE_UNKNOWN_HINT =
      "the change may still take effect: read the configuration before retrying";
  // One JSON document per body: "{...}{}" or "{...} x" is refused, not read up to its first value.
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> ADD_FIELDS = Set.of("id", "raft", "http");

  private final KvHttpServer server;
  private final KvNode node;
  private final Duration timeout;

  MembersApi(KvHttpServer server, KvNode node, Duration timeout) {
    this.server = server;
    this.node = node;
    this.timeout = timeout;
  }

  static boolean matches(String path) {
    return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
  }

  /** Answers one request whose path {@link #matches}. */
  void handle(Exchange exchange, Map<String, String> params) {
    RequestParsing.allowParams(params, Set.of());
    String path = exchange.rawPath();
    String method = exchange.method();
    if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
      RequestParsing.requireMethod(method, Set.of("GET", "POST"));
      if (method.equals("GET")) {
        server.json(exchange, 200, describe(node.status()));
      } else {
        add(exchange);
      }
      return;
    }
    String rest = path.substring(PREFIX.length() + 1);
    if (rest.endsWith("/promote")) {
      RequestParsing.requireMethod(method, Set.of("POST"));
      NodeId id = nodeId(rest.substring(0, rest.length() - "/promote".length()));
      change(exchange, () -> node.promote(id));
    } else if (!rest.contains("/")) {
      RequestParsing.requireMethod(method, Set.of("DELETE"));
      NodeId id = nodeId(rest);
      change(exchange, () -> node.removeMember(id));
    } else {
      throw new HttpError(404, "no such endpoint: " + path)
          .with(
              "endpoints",
              List.of("/v1/members", "/v1/members/{id}/promote", "/v1/members/{id} (DELETE)"));
    }
  }

  private void add(Exchange exchange) {
    JsonNode body;
    try {
      body = JSON.readTree(exchange.body());
    } catch (IOException e) {
      throw badBody("the body is not JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (body == null || !body.isObject()) {
      throw badBody("the body must be a JSON object");
    }
    for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!ADD_FIELDS.contains(name)) {
        throw badBody("unknown field '" + name + "'");
      }
    }
    NodeId id = nodeId(text(body, "id"));
    HostPort raft = address(body, "raft");
    HostPort http = address(body, "http");
    String address = MemberAddress.of(raft, http).toString();
    change(exchange, () -> node.addLearner(id, address));
  }

  private static HttpError badBody(String why) {
    return new HttpError(400, why)
        .with("expected", Map.of("id", "n4", "raft", "127.0.0.1:7104", "http", "127.0.0.1:8104"));
  }

  private static String text(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null) {
      throw badBody("field '" + field + "' (a non-empty string) is missing");
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      throw badBody("field '" + field + "' must be a non-empty string, not " + value);
    }
    return value.asText().trim();
  }

  private static HostPort address(JsonNode body, String field) {
    String text = text(body, field);
    HostPort address;
    try {
      address = HostPort.parse(text);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "bad " + field + " address: " + e.getMessage());
    }
    if (address.port() == 0) {
      throw new HttpError(400, "bad " + field + " address '" + text + "': port 0");
    }
    return address;
  }

  private static NodeId nodeId(String text) {
    String decoded = java.net.URLDecoder.decode(text, java.nio.charset.StandardCharsets.UTF_8);
    try {
      return NodeId.of(decoded);
    } catch (IllegalArgumentException e) {
      throw new HttpError(400, "bad node id '" + decoded + "': " + e.getMessage());
    }
  }

  /** Runs a change on this node if it leads, else relays it; answers the committed result. */
  private void change(Exchange exchange, Supplier<CompletableFuture<CommittedMembership>> call) {
    CompletableFuture<CommittedMembership> future = call.get();
    CommittedMembership committed;
    try {
      committed = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof NotLeaderException notLeader) {
        server.relayToLeader(exchange, notLeader.leaderHint());
        return;
      }
      HttpError error = translate(cause);
      if (error.status() == 504) {
        error.with("hint", CHANGE_UNKNOWN_HINT); // membership calls take no Idempotency-Key
      }
      throw error;
    } catch (TimeoutException e) {
      future.cancel(false);
      throw KvHttpServer.outcomeUnknown(
              "the change did not complete within " + timeout + "; read GET /v1/members again")
          .with("hint", CHANGE_UNKNOWN_HINT);
    } catch (CancellationException e) {
      throw KvHttpServer.outcomeUnknown("the change was cancelled")
          .with("hint", CHANGE_UNKNOWN_HINT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw KvHttpServer.outcomeUnknown("the server is shutting down")
          .with("hint", CHANGE_UNKNOWN_HINT);
    }
    Map<String, Object> json = describe(committed.membership(), committed.index());
    json.put("node", server.self());
    server.json(exchange, 200, json);
  }

  /** The HTTP answer for a refused or failed change. */
  static HttpError translate(Throwable cause) {
    if (cause instanceof UnknownMemberException unknown) {
      return new HttpError(404, "not a member: " + cause.getMessage())
          .with("member", unknown.node().value())
          .with("reason", unknown.reason().name());
    } else if (cause instanceof LearnerNotCaughtUpException) {
      return new HttpError(
              409,
              "the learner has not caught up with the leader's log yet; retry the promotion"
                  + " shortly: "
                  + cause.getMessage())
          .with("reason", MembershipChangeException.Reason.NOT_CAUGHT_UP.name())
          .header("Retry-After", "1");
    } else if (cause instanceof ConcurrentMembershipChangeException concurrent) {
      return new HttpError(
              409,
              "another membership change is in progress or the configuration just changed;"
                  + " read GET /v1/members and retry: "
                  + cause.getMessage())
          .with("reason", concurrent.reason().name())
          .header("Retry-After", "1");
    } else if (cause instanceof MembershipChangeException refused) {
      if (refused.reason() == MembershipChangeException.Reason.LEADER_NOT_READY) {
        return new HttpError(
                503, "the leader cannot change the configuration yet, retry: " + cause.getMessage())
            .with("reason", refused.reason().name())
            .header("Retry-After", "1");
      }
      return new HttpError(409, "membership change refused: " + cause.getMessage())
          .with("reason", refused.reason().name());
    }
    return KvHttpServer.translate(cause);
  }

  /** GET /v1/members: this node's view, with the leader it knows. */
  private Map<String, Object> describe(RaftStatus status) {
    Map<String, Object> json = describe(status.membership(), status.membershipIndex());
    json.put("node", server.self());
    json.put("leader", status.leader().map(NodeId::value).orElse(null));
    // A joining node the leader has not reached yet knows no configuration: nothing committed.
    boolean known = !status.membership().members().isEmpty();
    json.put("committed", known && status.membershipIndex() <= status.commitIndex());
    return json;
  }

  private Map<String, Object> describe(Membership membership, long index) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("configIndex", index);
    json.put("joint", membership.isJoint());
    json.put("voters", ids(membership.voters()));
    json.put("learners", ids(membership.learners()));
    json.put("outgoingVoters", ids(membership.outgoingVoters()));
    List<Map<String, Object>> members = new ArrayList<>();
    Map<NodeId, RaftStatus.MemberRole> roles = roles(membership);
    roles.forEach(
        (id, role) -> {
          Map<String, Object> member = new LinkedHashMap<>();
          member.put("id", id.value());
          member.put("role", role.name());
          Optional<MemberAddress> address = MemberAddress.of(membership, id);
          member.put("raft", address.map(a -> a.raft().toString()).orElse(null));
          member.put(
              "http",
              Optional.ofNullable(server.httpOf(id, membership)).map(URI::toString).orElse(null));
          members.add(member);
        });
    json.put("members", members);
    return json;
  }

  /** Each member's role, as {@link RaftStatus#members()} names it, in id order. */
  static Map<NodeId, RaftStatus.MemberRole> roles(Membership membership) {
    Map<NodeId, RaftStatus.MemberRole> roles = new java.util.TreeMap<>();
    membership.learners().forEach(id -> roles.put(id, RaftStatus.MemberRole.LEARNER));
    membership.outgoingVoters().forEach(id -> roles.put(id, RaftStatus.MemberRole.LEAVING_VOTER));
    for (NodeId id : membership.voters()) {
      boolean joining = membership.isJoint() && !membership.outgoingVoters().contains(id);
      roles.put(id, joining ? RaftStatus.MemberRole.JOINING_VOTER : RaftStatus.MemberRole.VOTER);
    }
    return roles;
  }

  private static List<String> ids(Set<NodeId> ids) {
    return ids.stream().map(NodeId::value).toList();
  }
}
