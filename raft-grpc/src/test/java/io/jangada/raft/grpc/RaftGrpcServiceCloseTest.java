package io.jangada.raft.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.contract.TransportContract.RecordingInbox;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Closing the transport forgets its peers before the server stops, so frames still arriving are
 * from senders it no longer knows: they are dropped quietly, not rejected (and warned about, and
 * listed in the problems) as frames from unknown senders.
 */
class RaftGrpcServiceCloseTest {

  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");

  @Test
  void framesArrivingWhileClosingAreDroppedWithoutARejection() {
    RecordingInbox inbox = new RecordingInbox();
    List<GrpcTransportMetrics.RejectReason> rejected = new ArrayList<>();
    boolean[] peersForgotten = {false};
    RaftGrpcService service =
        new RaftGrpcService(
            B,
            "test",
            (sender, address) -> !peersForgotten[0] && sender.equals("a"),
            inbox,
            new GrpcTransportMetrics() {
              @Override
              public void frameRejected(NodeId self, RejectReason reason) {
                rejected.add(reason);
              }
            },
            sender -> {});
    Message first = new Message.TimeoutNow(A, B, 1);
    service.accept(new InboundFrame("", "test", "a", "", List.of(first)));
    assertThat(inbox.received()).containsExactly(first);

    peersForgotten[0] = true; // GrpcTransport.close: peers.close(), then service.close()
    service.close();
    service.accept(new InboundFrame("", "test", "a", "", List.of(new Message.TimeoutNow(A, B, 2))));

    assertThat(inbox.received()).containsExactly(first);
    assertThat(rejected).isEmpty();
    assertThat(service.problems()).isEmpty();
    assertThat(service.rejectedCount()).isZero();
  }
}
