package io.jangada.raft.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/**
 * {@link ImmutableArray}: one class for every length, a copy that later changes of the source do
 * not reach, no nulls, no mutation, and {@link List}'s equality.
 */
class ImmutableArrayTest {

  @Test
  void oneClassForEveryLengthAndAMessageKeepsIt() {
    for (int n = 0; n <= 4; n++) {
      List<Integer> source = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        source.add(i);
      }
      List<Integer> copy = ImmutableArray.copyOf(source);
      assertThat(copy).isInstanceOf(ImmutableArray.class).containsExactlyElementsOf(source);
      assertThat(copy).isEqualTo(source).hasSameHashCodeAs(source);
      assertThat(ImmutableArray.copyOf(copy)).isSameAs(copy);
    }
    NodeId a = new NodeId("a");
    NodeId b = new NodeId("b");
    for (List<LogEntry> entries : List.of(List.<LogEntry>of(), List.of(entry(1)))) {
      Message.AppendRequest request = new Message.AppendRequest(a, b, 1, 0, 0, entries, 0);
      assertThat(request.entries()).isInstanceOf(ImmutableArray.class).isEqualTo(entries);
      assertThat(request).isEqualTo(new Message.AppendRequest(a, b, 1, 0, 0, entries, 0));
    }
  }

  @Test
  void copiesAndRejectsNullsAndMutation() {
    List<String> source = new ArrayList<>(List.of("x", "y"));
    List<String> copy = ImmutableArray.copyOf(source);
    source.set(0, "z");
    assertThat(copy).containsExactly("x", "y");
    assertThatThrownBy(() -> ImmutableArray.copyOf(Arrays.asList("x", null)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> copy.add("w")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> copy.set(0, "w")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> copy.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> copy.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
    Object[] array = copy.toArray();
    array[0] = "w";
    assertThat(copy.get(0)).isEqualTo("x");
    Iterator<String> it = copy.iterator();
    it.next();
    assertThatThrownBy(it::remove).isInstanceOf(UnsupportedOperationException.class);
    it.next();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void aSubListIsAnImmutableArrayViewOfTheRange() {
    List<String> all = ImmutableArray.copyOf(List.of("a", "b", "c", "d"));
    List<String> middle = all.subList(1, 3);
    assertThat(middle).isInstanceOf(ImmutableArray.class).containsExactly("b", "c");
    assertThat(middle.toArray()).containsExactly("b", "c");
    assertThat(middle.subList(1, 2)).containsExactly("c").isEqualTo(List.of("c"));
    assertThat(all.subList(0, 4)).isSameAs(all);
    assertThat(all.subList(2, 2)).isEmpty();
    assertThat(ImmutableArray.copyOf(middle)).isSameAs(middle);
    List<String> seen = new ArrayList<>();
    middle.forEach(seen::add);
    middle.iterator().forEachRemaining(seen::add);
    assertThat(seen).containsExactly("b", "c", "b", "c");
    assertThatThrownBy(() -> middle.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> all.subList(3, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> middle.set(0, "x")).isInstanceOf(UnsupportedOperationException.class);
  }

  private static LogEntry entry(long index) {
    return new LogEntry(index, 1, EntryType.COMMAND, Bytes.ofUtf8("v"));
  }
}
