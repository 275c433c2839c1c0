package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jangada.raft.model.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Table-driven tests of {@link Quorum} for simple and joint configurations. In every row, a
 * configuration is a space-separated list of node numbers ({@code 1 2 3} stands for n1, n2, n3);
 * the outgoing half is empty for a simple configuration. Inputs name nodes that are not voters to
 * show they are ignored.
 */
class QuorumTest {

  /** incoming | outgoing | match index per node (node=index; missing nodes are at 0) | commit. */
  @ParameterizedTest(name = "[{0}] && [{1}] matches {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        // simple majorities
        "1         |         | 1=5                 | 5",
        "1 2       |         | 1=5 2=3             | 3",
        "1 2 3     |         | 1=5 2=3 3=1         | 3",
        "1 2 3     |         | 1=5 2=5 3=1         | 5",
        "1 2 3     |         | 1=5                 | 0",
        "1 2 3 4   |         | 1=9 2=8 3=7 4=6     | 7",
        "1 2 3 4 5 |         | 1=9 2=8 3=7 4=6 5=5 | 7",
        "1 2 3 4 5 |         | 1=9 2=9             | 0",
        // a non-voter's progress never counts
        "1 2 3     |         | 1=5 4=9 5=9         | 0",
        // joint: the lower of the two majorities
        "1 2 3     | 1 2 3   | 1=5 2=3 3=1         | 3",
        "1 2 3     | 4 5 6   | 1=9 2=9 3=9 4=2 5=1 | 1",
        "4 5 6     | 1 2 3   | 1=9 2=9 3=9 4=2 5=1 | 1",
        "1 2 3     | 3 4 5   | 1=9 2=9 3=4 4=3 5=3 | 3",
        "1 2 3     | 3 4 5   | 1=9 2=9 3=4 4=5 5=5 | 5",
        "1 2       | 1 2 3   | 1=7 2=7 3=0         | 7",
        "1 2 3     | 1 2     | 1=7 2=0 3=7         | 0",
        "1 2 3 4   | 1 2 3   | 1=7 2=7 3=7 4=0     | 7",
        // no voters at all (a joining node)
        "          |         | 1=5                 | 0",
      })
  void committedIndex(String incoming, String outgoing, String matches, long expected) {
    Map<NodeId, Long> match = new HashMap<>();
    for (String kv : words(matches)) {
      String[] parts = kv.split("=");
      match.put(node(parts[0]), Long.parseLong(parts[1]));
    }
    Quorum q = Quorum.joint(nodes(incoming), nodes(outgoing));
    assertThat(q.committedIndex(id -> match.getOrDefault(id, 0L))).isEqualTo(expected);
  }

  /** incoming | outgoing | votes (y: granted, n: rejected, missing: no answer) | result. */
  @ParameterizedTest(name = "[{0}] && [{1}] votes {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "1         |         | 1=y                 | WON",
        "1         |         | 1=n                 | LOST",
        "1         |         |                     | PENDING",
        "1 2       |         | 1=y                 | PENDING",
        "1 2       |         | 1=y 2=y             | WON",
        "1 2       |         | 1=y 2=n             | LOST",
        "1 2 3     |         | 1=y 2=n             | PENDING",
        "1 2 3     |         | 1=y 2=y             | WON",
        "1 2 3     |         | 1=n 2=n             | LOST",
        "1 2 3 4   |         | 1=y 2=y 3=n         | PENDING",
        "1 2 3 4   |         | 1=y 2=n 3=n         | LOST",
        "1 2 3 4 5 |         | 1=y 2=y 3=y 4=n 5=n | WON",
        // non-voters' answers are ignored
        "1 2 3     |         | 1=y 4=y 5=y         | PENDING",
        // joint: both halves must grant; either half can lose the election alone
        "1 2 3     | 4 5 6   | 1=y 2=y 3=y         | PENDING",
        "1 2 3     | 4 5 6   | 1=y 2=y 4=y 5=y     | WON",
        "1 2 3     | 4 5 6   | 1=y 2=y 4=n 5=n     | LOST",
        "1 2 3     | 4 5 6   | 1=n 2=n 4=y 5=y 6=y | LOST",
        "1 2 3     | 1 2     | 1=y 3=y             | PENDING",
        "1 2 3     | 1 2     | 1=y 2=y             | WON",
        "1 2 3     | 1 2     | 1=y 3=y 2=n         | LOST",
        "1 2 3     | 3 4 5   | 3=y 4=y 1=y         | WON",
        "          |         | 1=y                 | PENDING",
      })
  void voteResult(String incoming, String outgoing, String votes, Quorum.VoteResult expected) {
    Map<NodeId, Boolean> answers = new HashMap<>();
    for (String kv : words(votes)) {
      String[] parts = kv.split("=");
      answers.put(node(parts[0]), parts[1].equals("y"));
    }
    Quorum q = Quorum.joint(nodes(incoming), nodes(outgoing));
    assertThat(q.voteResult(answers)).isEqualTo(expected);
  }

  /**
   * incoming | outgoing | nodes that acknowledged | reached. The same predicate answers CheckQuorum
   * activity, lease freshness and ReadIndex acknowledgements.
   */
  @ParameterizedTest(name = "[{0}] && [{1}] acked by {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "1         |         | 1         | true",
        "1         |         |           | false",
        "1 2 3     |         | 1         | false",
        "1 2 3     |         | 1 3       | true",
        "1 2 3 4   |         | 1 3       | false",
        "1 2 3 4   |         | 1 3 4     | true",
        "1 2 3     |         | 1 4 5     | false",
        "1 2 3     | 4 5 6   | 1 2 3     | false",
        "1 2 3     | 4 5 6   | 1 2 4 5   | true",
        "1 2 3     | 1 2 4   | 1 3       | false",
        "1 2 3     | 1 2 4   | 1 2       | true",
        "1 2       | 1 2 3   | 1 3       | false",
        "          |         | 1 2       | false",
      })
  void reached(String incoming, String outgoing, String acked, boolean expected) {
    Set<NodeId> ack = new HashSet<>(nodes(acked));
    Quorum q = Quorum.joint(nodes(incoming), nodes(outgoing));
    assertThat(q.reached(ack::contains)).isEqualTo(expected);
  }

  /** A simple quorum is joint only with a non-empty outgoing half; voters are the union. */
  @ParameterizedTest(name = "[{0}] && [{1}] voters {2} joint {3}")
  @CsvSource(
      delimiter = '|',
      value = {
        "1 2 3 |       | [n1, n2, n3]         | false",
        "1 2 3 | 3 4 5 | [n1, n2, n3, n4, n5] | true",
      })
  void votersAndJoint(String incoming, String outgoing, String voters, boolean joint) {
    Quorum q = Quorum.joint(nodes(incoming), nodes(outgoing));
    assertThat(q.voters()).hasToString(voters);
    assertThat(q.isJoint()).isEqualTo(joint);
  }

  private static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    if (text != null) {
      for (String w : text.trim().split("\\s+")) {
        if (!w.isEmpty()) {
          out.add(w);
        }
      }
    }
    return out;
  }

  private static List<NodeId> nodes(String text) {
    List<NodeId> out = new ArrayList<>();
    for (String w : words(text)) {
      out.add(node(w));
    }
    return out;
  }

  private static NodeId node(String number) {
    return NodeId.of("n" + number);
  }
}
