package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * A client's configuration errors fail {@link RaftClient.Builder#build()} at once, naming what is
 * wrong, instead of surfacing at the first request, after the whole deadline, as a {@link
 * NoLeaderException} that reads like an outage.
 */
class RaftClientBuilderTest {

  private static RaftClient.Builder client(String... endpoints) {
    return RaftClient.builder().endpoints(endpoints).clusterId("c");
  }

  @Test
  void anEndpointThatIsNotHostAndPortFailsTheBuildNamingIt() {
    for (String bad :
        new String[] {"localhost", "10.0.0.1", "http://10.0.0.1:7001", "10.0.0.1:x"}) {
      assertThatThrownBy(() -> client("10.0.0.2:7001", bad).build())
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("RaftClient.Builder: endpoint '" + bad + "'")
          .hasMessageContaining("host:port");
    }
    for (String bad : new String[] {"10.0.0.1:70000", "10.0.0.1:-1", "10.0.0.1:0"}) {
      assertThatThrownBy(() -> client(bad).build())
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("RaftClient.Builder: endpoint '" + bad + "'")
          .hasMessageContaining("port");
    }
  }

  @Test
  void aMissingEndpointOrSettingIsNamed() {
    assertThatThrownBy(() -> client("10.0.0.1:7001", (String) null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("endpoint");
    assertThatThrownBy(() -> client().endpoints(Arrays.asList("10.0.0.1:7001", null)).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("endpoint");
    assertThatThrownBy(() -> client("10.0.0.1:7001").backoff(null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("initial");
    assertThatThrownBy(() -> client("10.0.0.1:7001").backoff(Duration.ofMillis(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("max");
  }

  @Test
  void wellFormedEndpointsBuild() {
    // built, not connected: channels open on the first request
    assertThatCode(
            () -> client("10.0.0.1:7001", "node-2.example:7001", "[::1]:7001").build().close())
        .doesNotThrowAnyException();
  }
}
