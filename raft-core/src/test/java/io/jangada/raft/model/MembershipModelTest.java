package io.jangada.raft.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The configuration value: validation, derived configurations, text and encoding. */
class MembershipModelTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");

  @Test
  void invalidConfigurationsAreRejectedWithClearMessages() {
    assertThatThrownBy(() -> Membership.ofVoters(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one voter");
    assertThatThrownBy(() -> Membership.ofVoters(N1, N1))
        .hasMessageContaining("duplicate node id in membership: n1");
    assertThatThrownBy(() -> Membership.builder().voter(N1).learner(N1).build())
        .hasMessageContaining("node n1 cannot be both a voter and a learner");
    assertThatThrownBy(() -> Membership.builder().learner(N1).build())
        .hasMessageContaining("at least one voter");
    assertThatThrownBy(() -> Membership.builder().voter(N1, " ").build())
        .hasMessageContaining("blank address for n1");
    TreeMap<NodeId, String> stray = new TreeMap<>();
    stray.put(N2, "h:2");
    assertThatThrownBy(
            () ->
                new Membership(new TreeSet<>(List.of(N1)), new TreeSet<>(), new TreeSet<>(), stray))
        .hasMessageContaining("address given for non-member n2");
  }

  @Test
  void emptyConfigurationIsTheJoiningNodes() {
    Membership empty = Membership.empty();
    assertThat(empty.isEmpty()).isTrue();
    assertThat(empty.contains(N1)).isFalse();
    assertThat(empty.isVoter(N1)).isFalse();
    assertThat(empty.describe()).isEqualTo("voters=[]");
    assertThat(Membership.decode(empty.encode())).isEqualTo(empty);
  }

  @Test
  void jointConfigurationVotesInBothHalves() {
    Membership old = Membership.builder().voter(N1, "h:1").voter(N2).voter(N3, "h:3").build();
    Membership target =
        Membership.builder().voter(N1).voter(N2).voter(N4, "h:4").learner(N3).build();
    Membership joint = old.enterJoint(target);
    assertThat(joint.isJoint()).isTrue();
    assertThat(joint.voters()).containsExactly(N1, N2, N4);
    assertThat(joint.outgoingVoters()).containsExactly(N1, N2, N3);
    // n3 is demoted: it still votes in the outgoing half until the joint configuration is left.
    assertThat(joint.isVoter(N3)).isTrue();
    assertThat(joint.isLearner(N3)).isFalse();
    assertThat(joint.allVoters()).containsExactly(N1, N2, N3, N4);
    assertThat(joint.members()).containsExactly(N1, N2, N3, N4);
    // Addresses of the target win; those of outgoing voters are kept while they vote.
    assertThat(joint.address(N1)).contains("h:1");
    assertThat(joint.address(N3)).contains("h:3");
    assertThat(joint.describe())
        .isEqualTo(
            "voters=[n1, n2, n4] learners=[n3] outgoing=[n1, n2, n3]"
                + " addresses={n1=h:1, n3=h:3, n4=h:4}");
    Membership left = joint.target();
    assertThat(left.isJoint()).isFalse();
    assertThat(left.isLearner(N3)).isTrue();
    assertThat(left.address(N3)).contains("h:3");
    assertThatThrownBy(() -> joint.enterJoint(target)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(joint::toBuilder).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void singleChangesDeriveNewConfigurations() {
    Membership m = Membership.ofVoters(N1, N2, N3);
    Membership withLearner = m.withLearner(N4, Optional.of("h:4"));
    assertThat(withLearner.describe())
        .isEqualTo("voters=[n1, n2, n3] learners=[n4] addresses={n4=h:4}");
    assertThat(withLearner.withPromoted(N4).voters()).containsExactly(N1, N2, N3, N4);
    assertThat(withLearner.withPromoted(N4).address(N4)).contains("h:4");
    assertThat(withLearner.without(N4)).isEqualTo(m);
    assertThat(m.withLearner(N3, Optional.empty()).learners()).containsExactly(N3);
    assertThatThrownBy(() -> m.withPromoted(N4)).hasMessageContaining("n4 is not a learner");
    assertThatThrownBy(() -> m.without(N4)).hasMessageContaining("n4 is not a member");
  }

  @Test
  void encodingRoundTripsEveryPart() {
    TreeMap<NodeId, String> addresses = new TreeMap<>();
    addresses.put(N1, "127.0.0.1:7101");
    addresses.put(N4, "[::1]:7104");
    Membership joint =
        new Membership(
            new TreeSet<>(List.of(N1, N4)),
            new TreeSet<>(List.of(N3)),
            new TreeSet<>(List.of(N1, N2, N3)),
            addresses);
    assertThat(Membership.decode(joint.encode())).isEqualTo(joint);
    Membership plain = Membership.ofVoters(N1, N2);
    assertThat(Membership.decode(plain.encode())).isEqualTo(plain);
  }

  @Test
  void versionOneEncodingIsStillRead() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(1);
      out.writeInt(2);
      out.writeUTF("n1");
      out.writeUTF("n2");
      out.writeInt(1);
      out.writeUTF("n3");
    }
    Membership m = Membership.decode(Bytes.wrapUnsafe(bytes.toByteArray()));
    assertThat(m)
        .isEqualTo(new Membership(new TreeSet<>(List.of(N1, N2)), new TreeSet<>(List.of(N3))));
  }

  @Test
  void badEncodingsAreRejected() {
    assertThatThrownBy(() -> Membership.decode(Bytes.wrapUnsafe(new byte[] {9})))
        .hasMessageContaining("unknown membership format version 9");
    assertThatThrownBy(() -> Membership.decode(Bytes.wrapUnsafe(new byte[] {2, 0, 0})))
        .hasMessageContaining("truncated");
    byte[] valid = Membership.ofVoters(N1).encode().toByteArray();
    byte[] longer = java.util.Arrays.copyOf(valid, valid.length + 1);
    assertThatThrownBy(() -> Membership.decode(Bytes.wrapUnsafe(longer)))
        .hasMessageContaining("trailing bytes");
  }
}
