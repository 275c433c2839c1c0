package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.Role;
import io.jangada.raft.model.LogEntry;
import io.jangada.raft.model.Message;
import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small seeded chaos run over the paper-test harness: random delivery order, loss, duplication,
 * partitions and crash-restarts, checking Election Safety and State Machine Safety after every
 * event, and that a leader emerges once the faults stop. (The full simulation lives elsewhere.)
 */
class ChaosSmokeTest {

  /** Under random faults no two leaders share a term and all nodes apply the same entries. */
  @ParameterizedTest(name = "preVote+checkQuorum={0}")
  @ValueSource(booleans = {false, true})
  void safetyHoldsUnderRandomFaults(boolean modern) {
    int seeds = Boolean.getBoolean("jangada.soak") ? 2000 : 20;
    for (long seed = Long.getLong("chaos.seed", 1);
        seed <= Long.getLong("chaos.seed", seeds);
        seed++) {
      run(seed, modern);
    }
  }

  private static void run(long seed, boolean modern) {
    RaftConfig config =
        RaftConfig.builder()
            .electionTicks(10)
            .heartbeatTicks(2)
            .preVote(modern)
            .checkQuorum(modern)
            .maxInflightAppends(4)
            .maxAppendEntries(3)
            .build();
    SplittableRandom random = new SplittableRandom(seed);
    String[] ids =
        random.nextBoolean()
            ? new String[] {"n1", "n2", "n3"}
            : new String[] {"n1", "n2", "n3", "n4", "n5"};
    Net net = new Net(config, ids);
    List<Message> inflight = new ArrayList<>();
    Map<Long, NodeId> leaders = new HashMap<>();
    Map<Long, LogEntry> applied = new HashMap<>();
    Map<String, Integer> checked = new HashMap<>();
    Map<Long, Long> readFloor = new HashMap<>();
    Map<String, Ready> holding = new HashMap<>();
    int commands = 0;
    String ctx = "seed " + seed + " modern=" + modern;
    try {
      for (int step = 0; step < 2000; step++) {
        int action = random.nextInt(100);
        String node = ids[random.nextInt(ids.length)];
        if (action < 30) {
          net.core(node).tick();
        } else if (action < 70 && !inflight.isEmpty()) {
          Message m = inflight.remove(random.nextInt(inflight.size()));
          if (random.nextInt(10) == 0) {
            inflight.add(m); // duplicate
          }
          if (random.nextInt(10) != 0) {
            net.deliver(List.of(m));
          }
        } else if (action < 80) {
          for (String id : ids) {
            if (net.core(id).status().role() == Role.LEADER) {
              net.core(id).propose(io.jangada.raft.model.Bytes.ofUtf8("c" + commands++));
            }
          }
        } else if (action < 83) {
          holding.remove(node); // crashed before handling it
          net.restart(node);
        } else if (action < 86) {
          net.isolate(node);
        } else if (action < 87) {
          net.heal();
        } else if (action < 90) {
          // Linearizability of ReadIndex: the read index covers everything committed so far.
          readFloor.put((long) step, maxCommit(net, ids));
          net.core(node).readIndex(step);
        } else if (action < 91 && random.nextBoolean()) {
          net.core(node).transferLeadership(NodeId.of(ids[random.nextInt(ids.length)]));
        }
        for (String id : ids) {
          // Drivers may hold a Ready while more input arrives (an async pipeline), or crash first.
          Ready held = holding.get(id);
          if (held == null && net.core(id).hasReady()) {
            Ready r = net.core(id).ready();
            if (random.nextInt(3) == 0) {
              holding.put(id, r);
            } else {
              inflight.addAll(net.handle(id, r));
            }
          } else if (held != null && random.nextInt(3) == 0) {
            holding.remove(id);
            inflight.addAll(net.handle(id, held));
          }
          for (ReadState r : net.node(id).reads) {
            if (r.success()) {
              assertThat(r.readIndex())
                  .as("read %d on %s", r.requestId(), id)
                  .isGreaterThanOrEqualTo(readFloor.get(r.requestId()));
            }
          }
          net.node(id).reads.clear();
        }
        check(net, ids, leaders, applied, checked);
      }
      // Faults stop: the cluster must elect a leader and commit a new entry.
      holding.forEach((id, r) -> inflight.addAll(net.handle(id, r)));
      net.heal();
      net.deliver(inflight);
      for (int i = 0; i < 100; i++) {
        net.tickAll(1);
        check(net, ids, leaders, applied, checked);
      }
      String leader = null;
      for (String id : ids) {
        if (net.core(id).status().role() == Role.LEADER) {
          leader = id;
        }
      }
      if (leader == null) {
        for (String id : ids) {
          System.err.println("DBG " + net.core(id).status() + " " + net.log(id));
        }
      }
      assertThat(leader).as("a leader after healing").isNotNull();
      long index = net.propose(leader, "final");
      net.stabilize();
      net.tickAll(2);
      for (String id : ids) {
        assertThat(net.core(id).status().commitIndex()).as(id).isGreaterThanOrEqualTo(index);
      }
      check(net, ids, leaders, applied, checked);
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(ctx + ": " + e.getMessage(), e);
    }
  }

  private static long maxCommit(Net net, String[] ids) {
    long max = 0;
    for (String id : ids) {
      max = Math.max(max, net.core(id).status().commitIndex());
    }
    return max;
  }

  private static void check(
      Net net,
      String[] ids,
      Map<Long, NodeId> leaders,
      Map<Long, LogEntry> applied,
      Map<String, Integer> checked) {
    for (String id : ids) {
      RaftCore core = net.core(id);
      core.assertInvariants();
      if (core.status().role() == Role.LEADER) {
        NodeId prev = leaders.putIfAbsent(core.status().term(), NodeId.of(id));
        assertThat(prev == null || prev.value().equals(id))
            .as("two leaders in term %d: %s and %s", core.status().term(), prev, id)
            .isTrue();
      }
      List<LogEntry> done = net.node(id).applied;
      for (int i = checked.getOrDefault(id, 0); i < done.size(); i++) {
        LogEntry e = done.get(i);
        if (i > 0) {
          assertThat(e.index())
              .as("%s applies in order", id)
              .isEqualTo(done.get(i - 1).index() + 1);
        }
        LogEntry other = applied.putIfAbsent(e.index(), e);
        assertThat(other == null || other.equals(e))
            .as("%s applied %s but another node applied %s", id, e, other)
            .isTrue();
      }
      checked.put(id, done.size());
    }
  }
}
