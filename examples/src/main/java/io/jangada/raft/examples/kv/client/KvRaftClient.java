package io.jangada.raft.examples.kv.client;

import io.jangada.raft.ReadConsistency;
import io.jangada.raft.SessionExpiredException;
import io.jangada.raft.examples.kv.KvCodec;
import io.jangada.raft.examples.kv.KvCommand;
import io.jangada.raft.examples.kv.KvQuery;
import io.jangada.raft.examples.kv.KvResult;
import io.jangada.raft.grpc.NoLeaderException;
import io.jangada.raft.grpc.RaftClient;
import io.jangada.raft.grpc.RequestTooLargeException;
import io.jangada.raft.grpc.WrongClusterException;
import io.jangada.raft.model.Bytes;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The key-value operations through the library's {@link RaftClient} over gRPC, to the nodes' Raft
 * ports (which serve the client protocol too): what an application would use instead of the HTTP
 * API. Writes are exactly-once through the client's session (it opens one on first use and retries
 * a write under the same sequence number after failover), reads take a consistency level. The
 * client finds the leader by itself; any seed endpoint will do.
 *
 * <p>{@link KvClient.Written} carries no log position here: the client protocol answers with the
 * result only, so {@code index} and {@code term} are 0.
 *
 * <p>Thread-safe (one {@link RaftClient} underneath); close it to close the session.
 */
public final class KvRaftClient implements KvStore, AutoCloseable {

  private final RaftClient client;

  /**
   * @param endpoints the nodes' Raft addresses, {@code host:port}
   * @param clusterId the cluster's id (the nodes' {@code --cluster-id})
   * @param timeout how long one call may take in total, retries included
   */
  public KvRaftClient(List<String> endpoints, String clusterId, Duration timeout) {
    this.client =
        RaftClient.builder().endpoints(endpoints).clusterId(clusterId).deadline(timeout).build();
  }

  @Override
  public KvClient.Written put(String key, byte[] value) {
    KvResult result = submit(new KvCommand.Put(key(key), Bytes.copyOf(value)));
    expectOk(result);
    return new KvClient.Written(0, 0);
  }

  @Override
  public KvClient.CasResult cas(String key, Optional<String> expected, byte[] value) {
    KvResult result =
        submit(new KvCommand.Cas(key(key), expected.map(Bytes::ofUtf8), Bytes.copyOf(value)));
    if (result instanceof KvResult.ConditionFailed failed) {
      return new KvClient.CasResult(false, failed.current().map(Bytes::toUtf8));
    }
    expectOk(result);
    return new KvClient.CasResult(true, Optional.empty());
  }

  @Override
  public Optional<byte[]> get(String key, String consistency) {
    Bytes query = KvCodec.encode(new KvQuery.Get(key(key)));
    KvResult result =
        KvCodec.decodeResult(await(client.query(query, consistency(consistency)), false));
    if (result instanceof KvResult.Value value) {
      return Optional.of(value.value().toByteArray());
    } else if (result instanceof KvResult.NotFound) {
      return Optional.empty();
    } else if (result instanceof KvResult.Error error) {
      throw new KvClientException(400, error.message());
    }
    throw new KvClientException(500, "unexpected answer " + result);
  }

  @Override
  public boolean delete(String key) {
    KvResult result = submit(new KvCommand.Delete(key(key)));
    if (result instanceof KvResult.NotFound) {
      return false;
    }
    expectOk(result);
    return true;
  }

  /** Closes the client's session and its connections. */
  @Override
  public void close() {
    client.close();
  }

  /**
   * The key's bytes, checked as the nodes check them, so that a key they would refuse fails here
   * with a clear message instead of an error answer or a retry loop.
   */
  private static Bytes key(String key) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException("the key must not be empty");
    }
    Bytes bytes = Bytes.ofUtf8(key);
    if (bytes.size() > KvCodec.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "the key has " + bytes.size() + " bytes; at most " + KvCodec.MAX_KEY_BYTES + " allowed");
    }
    return bytes;
  }

  private KvResult submit(KvCommand command) {
    return KvCodec.decodeResult(await(client.submit(KvCodec.encode(command)), true));
  }

  private static void expectOk(KvResult result) {
    if (result instanceof KvResult.Error error) {
      throw new KvClientException(409, error.message());
    } else if (!(result instanceof KvResult.Ok)) {
      throw new KvClientException(500, "unexpected answer " + result);
    }
  }

  private static ReadConsistency consistency(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "linearizable":
        return ReadConsistency.LINEARIZABLE;
      case "lease":
        return ReadConsistency.LEASE;
      case "stale":
        return ReadConsistency.STALE;
      default:
        throw new IllegalArgumentException(
            "consistency must be linearizable, lease or stale, got '" + name + "'");
    }
  }

  /** The answer, or a {@link KvClientException} with the HTTP status the API would give. */
  private static Bytes await(CompletableFuture<Bytes> future, boolean write) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof NoLeaderException noLeader) {
        // No node completed it in time: for a write, whether it took effect is unknown (status 0)
        // if an attempt may have been appended.
        throw new KvClientException(
            write ? 0 : 503, cause.getMessage(), write && noLeader.mayHaveTakenEffect());
      } else if (cause instanceof SessionExpiredException) {
        throw new KvClientException(409, cause.getMessage());
      } else if (cause instanceof RequestTooLargeException) {
        throw new KvClientException(413, cause.getMessage());
      } else if (cause instanceof WrongClusterException) {
        // A configuration error, like the API's 400s: nothing was applied, retrying cannot help.
        throw new KvClientException(400, cause.getMessage() + "; check --cluster-id");
      }
      throw new KvClientException(500, String.valueOf(cause.getMessage()));
    }
  }
}
