package io.jangada.raft.testkit.lincheck;

import java.util.Arrays;

/**
 * A memo entry of Lowe's algorithm: which operations are linearized (ok and info ones, as compact
 * {@link OpSet} snapshots) and the model state they lead to. Two search nodes with equal keys have
 * the same future, so the search visits each key at most once. Immutable.
 */
final class MemoKey {
  private final int okFull;
  private final long[] okTail;
  private final int infoFull;
  private final long[] infoTail;
  private final Object state;
  private final int hash;

  MemoKey(OpSet ok, OpSet info, Object state) {
    this.okFull = ok.full();
    this.okTail = ok.tail();
    this.infoFull = info.full();
    this.infoTail = info.tail();
    this.state = state;
    int h = okFull;
    h = 31 * h + Arrays.hashCode(okTail);
    h = 31 * h + infoFull;
    h = 31 * h + Arrays.hashCode(infoTail);
    h = 31 * h + state.hashCode();
    this.hash = h ^ (h >>> 16);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof MemoKey that)) {
      return false;
    }
    return hash == that.hash
        && okFull == that.okFull
        && infoFull == that.infoFull
        && Arrays.equals(okTail, that.okTail)
        && Arrays.equals(infoTail, that.infoTail)
        && state.equals(that.state);
  }

  @Override
  public int hashCode() {
    return hash;
  }
}
