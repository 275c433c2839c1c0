package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.Message;
import io.jangada.raft.model.Message.AppendRequest;
import io.jangada.raft.model.Message.HeartbeatResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A heartbeat response from a follower that is behind only because entries are in flight sends no
 * AppendRequest without entries; an optimistic append that was lost with nothing sent after it is
 * still found (the follower rejects a request after the gap) within a bounded number of heartbeats.
 */
class StalledAppendTest {

  /** n1 leads n2 and n3, everyone holds the committed no-op, and {@code x} (index 2) is sent. */
  private static Net leaderWithAppendInFlight(RaftConfig config, List<Message> appends) {
    Net net = new Net(config, "n1", "n2", "n3");
    net.elect("n1");
    net.tickAll(1);
    net.propose("n1", "x");
    appends.addAll(net.flush("n1"));
    assertThat(appends).hasSize(2).allMatch(m -> m instanceof AppendRequest);
    return net;
  }

  private static List<Message> to(String id, List<Message> messages) {
    return messages.stream().filter(m -> m.to().value().equals(id)).toList();
  }

  /**
   * Under load: n2's match advanced (to 2) since its previous heartbeat response, and {@code y}
   * (index 3) is in flight: n2 got the append and the next heartbeat, and its heartbeat response
   * arrives before its acknowledgement (which waits for its disk). Its match is behind the leader's
   * log only because {@code y} is in flight: the leader sends nothing (it used to send an append
   * without entries), and the acknowledgement then moves the match on.
   */
  @Test
  void heartbeatResponseWhileEntriesAreInFlightSendsNoEmptyAppend() {
    ArrayList<Message> appends = new ArrayList<>();
    Net net = leaderWithAppendInFlight(Net.PLAIN, appends);
    net.deliver(appends);
    net.deliver(net.flush("n2"));
    net.deliver(net.flush("n3"));
    net.flush("n1");
    assertThat(match(net, "n2")).isEqualTo(2);

    net.propose("n1", "y");
    net.deliver(to("n2", net.flush("n1")));
    net.core("n1").tick(); // heartbeatTicks = 1
    net.deliver(to("n2", net.flush("n1")));
    List<Message> n2Answers = net.flush("n2");
    List<Message> heartbeatResponse =
        n2Answers.stream().filter(m -> m instanceof HeartbeatResponse).toList();
    assertThat(heartbeatResponse).hasSize(1);

    net.deliver(heartbeatResponse);
    assertThat(Describe.messages(net.flush("n1"))).isEmpty();

    net.deliver(n2Answers.stream().filter(m -> !(m instanceof HeartbeatResponse)).toList());
    net.flush("n1");
    assertThat(match(net, "n2")).isEqualTo(3);
  }

  private static long match(Net net, String id) {
    return net.core("n1").status().peers().get(net.node(id).id).matchIndex();
  }

  /**
   * The append carrying {@code x} to n2 is lost and nothing is proposed after it, so no later
   * append reveals the gap. The heartbeat after a whole quiet heartbeat interval sends an empty
   * append, n2 rejects it and gets {@code x} from the probe that follows: within heartbeatTicks + 1
   * ticks, whatever the window size.
   */
  @Test
  void lostAppendIsRecoveredWithinTwoHeartbeats() {
    for (int heartbeatTicks : new int[] {1, 3}) {
      for (int window : new int[] {1, 2, 256}) {
        RaftConfig config =
            RaftConfig.builder()
                .electionTicks(10 * heartbeatTicks)
                .heartbeatTicks(heartbeatTicks)
                .preVote(false)
                .checkQuorum(false)
                .maxInflightAppends(window)
                .build();
        ArrayList<Message> appends = new ArrayList<>();
        Net net = leaderWithAppendInFlight(config, appends);
        net.deliver(to("n3", appends)); // the one to n2 is lost
        net.stabilize();
        assertThat(net.log("n2")).hasSize(1);

        int ticks = 0;
        while (net.log("n2").size() < 2 && ticks < 10 * heartbeatTicks) {
          ticks++;
          for (String id : List.of("n1", "n2", "n3")) {
            net.core(id).tick();
          }
          net.deliver(net.flush("n1"));
          net.stabilize();
        }
        String run = "heartbeatTicks=" + heartbeatTicks + " window=" + window;
        assertThat(net.log("n2")).as(run).containsExactly("1/1 NOOP", "2/1 CMD \"x\"");
        assertThat(ticks).as(run).isLessThanOrEqualTo(2 * heartbeatTicks);
        assertThat(match(net, "n2")).as(run).isEqualTo(2);
      }
    }
  }
}
