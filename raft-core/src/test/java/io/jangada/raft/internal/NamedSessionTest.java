package io.jangada.raft.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jangada.raft.SessionLimits;
import io.jangada.raft.internal.SessionTable.Outcome;
import io.jangada.raft.model.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Named sessions (open-or-resume by a client-chosen name): one session per name, released with the
 * session, kept in the table's encoding.
 */
class NamedSessionTest {

  private static final SessionLimits LIMITS =
      new SessionLimits(Duration.ofMillis(1000), 100, 1 << 20);

  private final List<String> executed = new ArrayList<>();
  private final UnaryOperator<Bytes> machine =
      command -> {
        executed.add(command.toUtf8());
        return Bytes.ofUtf8("r:" + command.toUtf8());
      };
  private SessionTable table = new SessionTable();
  private long index;
  private long nonce;

  private Outcome apply(SessionEntry entry) {
    SessionEntry decoded = SessionEntry.decode(entry.encode());
    assertThat(decoded).isEqualTo(entry);
    return table.apply(++index, decoded, machine);
  }

  private long open(String name, long time) {
    return open(name, time, LIMITS);
  }

  private long open(String name, long time, SessionLimits limits) {
    Outcome o = apply(SessionEntry.openNamed(++nonce, name).stamped(time, limits));
    assertThat(o).isInstanceOf(Outcome.Opened.class);
    return ((Outcome.Opened) o).clientId();
  }

  private Outcome command(long client, String cmd, long time) {
    return apply(SessionEntry.command(client, 1, 1, Bytes.ofUtf8(cmd)).stamped(time, LIMITS));
  }

  @Test
  void openingANameTwiceResumesTheSameSessionAndDeduplicatesItsFirstRequest() {
    long first = open("key-1", 0);
    assertThat(command(first, "put a", 1)).isEqualTo(new Outcome.Applied(Bytes.ofUtf8("r:put a")));
    // A retry that reached another node: it knows only the name.
    long again = open("key-1", 2);
    assertThat(again).isEqualTo(first);
    assertThat(command(again, "put a", 3))
        .isEqualTo(new Outcome.Duplicate(Bytes.ofUtf8("r:put a")));
    assertThat(executed).containsExactly("put a");
    assertThat(open("key-2", 4)).isNotEqualTo(first);
    assertThat(table.clientIdOf("key-1")).isEqualTo(OptionalLong.of(first));
    assertThat(table.size()).isEqualTo(2);
  }

  @Test
  void unnamedOpensNeverResume() {
    Outcome a = apply(SessionEntry.open(1).stamped(0, LIMITS));
    Outcome b = apply(SessionEntry.open(1).stamped(0, LIMITS));
    assertThat(a).isNotEqualTo(b);
    assertThat(table.size()).isEqualTo(2);
  }

  @Test
  void resumingCountsAsActivity() {
    long s = open("k", 0);
    open("k", 900);
    open("other", 1500); // 600 ms after the resume: not idle past the 1000 ms timeout
    assertThat(table.contains(s)).isTrue();
    open("other", 2000); // 1100 ms after the resume
    assertThat(table.contains(s)).isFalse();
    assertThat(table.clientIdOf("k")).isEmpty();
  }

  @Test
  void theNameIsReleasedWhenItsSessionIsClosedExpiresOrIsEvicted() {
    long closed = open("a", 0);
    apply(SessionEntry.close(closed).stamped(0, LIMITS));
    long reopened = open("a", 0);
    assertThat(reopened).isNotEqualTo(closed);

    open("b", 0);
    long expired = open("c", 0);
    long afterExpiry = open("c", 5000); // everything idle for 5 s expired first
    assertThat(afterExpiry).isNotEqualTo(expired);
    assertThat(table.clientIdOf("a")).isEmpty();

    SessionLimits one = new SessionLimits(Duration.ofMillis(1000), 1, 1 << 20);
    long x = open("x", 5000, one); // evicts "c"
    assertThat(table.clientIdOf("c")).isEmpty();
    assertThat(open("c", 5000, one)).isNotEqualTo(afterExpiry).isNotEqualTo(x);
  }

  @Test
  void namesSurviveTheEncodingAndAnOldUnnamedEncodingStillReads() throws IOException {
    long named = open("key", 0);
    command(named, "put", 1);
    apply(SessionEntry.open(9).stamped(2, LIMITS));
    SessionTable restored = SessionTable.decode(table.encode());
    assertThat(restored.encode()).isEqualTo(table.encode());
    table = restored;
    assertThat(open("key", 3)).isEqualTo(named);
    assertThat(command(named, "put", 4)).isEqualTo(new Outcome.Duplicate(Bytes.ofUtf8("r:put")));
    assertThat(executed).containsExactly("put");

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(1); // format 1: no names
      out.writeLong(10);
      out.writeInt(1);
      out.writeLong(5); // id
      out.writeLong(10); // last active
      out.writeLong(1); // acknowledged below
      out.writeInt(0); // results
    }
    SessionTable old = SessionTable.decode(Bytes.wrapUnsafe(bytes.toByteArray()));
    assertThat(old.clientIds()).containsExactly(5L);
    assertThat(old.clientIdOf("key")).isEmpty();
  }

  @Test
  void aNameMustHaveOneTo256Bytes() {
    assertThatThrownBy(() -> SessionEntry.openNamed(1, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SessionEntry.openNamed(1, "x".repeat(257)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(SessionEntry.openNamed(1, "x".repeat(256)).command().size()).isEqualTo(256);
  }
}
