package io.jangada.raft.model;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.Consumer;

/**
 * An immutable, random-access list over an array: the one class of every list a {@link Message} or
 * a core {@code Ready} holds, whatever its length.
 *
 * <p>Why not {@link List#copyOf}: it returns one class for one or two elements and another for none
 * or three and more, so the JIT's type profile of every loop over a message's entries (the codec,
 * the log writer, the core) sees the class change with the batch size and recompiles those loops
 * (issue 16, benchmarks/PROFILE.md). Like {@code List.copyOf}, it rejects null elements, every
 * mutator throws {@link UnsupportedOperationException}, and {@link #copyOf} of an {@code
 * ImmutableArray} returns it without copying; {@link #subList} is an {@code ImmutableArray} view.
 * Equality and hash code are those of {@link List}.
 *
 * <p>Thread-safe: immutable once built (elements are published through the final array field).
 *
 * @param <E> the element type
 */
public final class ImmutableArray<E> extends AbstractList<E> implements RandomAccess {

  private static final ImmutableArray<?> EMPTY = new ImmutableArray<>(new Object[0]);

  private final Object[] elements;
  private final int offset; // of the first element in elements
  private final int size;

  private ImmutableArray(Object[] elements) {
    this(elements, 0, elements.length);
  }

  private ImmutableArray(Object[] elements, int offset, int size) {
    this.elements = elements;
    this.offset = offset;
    this.size = size;
  }

  /** The empty list. */
  @SuppressWarnings("unchecked")
  public static <E> List<E> of() {
    return (List<E>) EMPTY;
  }

  /**
   * The list of the one {@code element}.
   *
   * @throws NullPointerException if {@code element} is null
   */
  public static <E> List<E> of(E element) {
    return new ImmutableArray<>(new Object[] {Objects.requireNonNull(element, "element")});
  }

  /**
   * An immutable copy of {@code source} in its iteration order; {@code source} itself if it is an
   * {@code ImmutableArray}.
   *
   * @throws NullPointerException if {@code source} or any element is null
   */
  @SuppressWarnings("unchecked")
  public static <E> List<E> copyOf(Collection<? extends E> source) {
    if (source instanceof ImmutableArray) {
      return (List<E>) source;
    }
    Object[] copy = source.toArray();
    if (copy.length == 0) {
      return of();
    }
    if (copy.getClass() != Object[].class) {
      copy = Arrays.copyOf(copy, copy.length, Object[].class);
    }
    for (Object e : copy) {
      Objects.requireNonNull(e, "element");
    }
    return new ImmutableArray<>(copy);
  }

  @Override
  @SuppressWarnings("unchecked")
  public E get(int index) {
    Objects.checkIndex(index, size);
    return (E) elements[offset + index];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public Object[] toArray() {
    return Arrays.copyOfRange(elements, offset, offset + size);
  }

  /** A view of the range: an {@code ImmutableArray} too, sharing this one's array (no copy). */
  @Override
  public List<E> subList(int fromIndex, int toIndex) {
    Objects.checkFromToIndex(fromIndex, toIndex, size);
    if (fromIndex == 0 && toIndex == size) {
      return this;
    }
    return fromIndex == toIndex
        ? of()
        : new ImmutableArray<>(elements, offset + fromIndex, toIndex - fromIndex);
  }

  @Override
  public Iterator<E> iterator() {
    return new Itr();
  }

  @Override
  @SuppressWarnings("unchecked")
  public void forEach(Consumer<? super E> action) {
    Objects.requireNonNull(action, "action");
    for (int i = offset; i < offset + size; i++) {
      action.accept((E) elements[i]);
    }
  }

  /** Read-only iterator; one class for every list, so loops over it stay monomorphic. */
  private final class Itr implements Iterator<E> {
    private int next = offset;

    @Override
    public boolean hasNext() {
      return next < offset + size;
    }

    @Override
    @SuppressWarnings("unchecked")
    public E next() {
      if (next >= offset + size) {
        throw new NoSuchElementException();
      }
      return (E) elements[next++];
    }
  }
}
