package io.jangada.raft.examples.kv.demo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Maps virtual time to a horizontal position with quiet stretches squeezed: a message takes 2 ms
 * and an election timeout 100-200 ms, so a linear axis would draw every arrow as a vertical line.
 * Short steps keep their length (so arrows lean visibly); a long quiet gap shrinks to a bounded
 * width and is reported by {@link #gaps()} so the axis can mark it. Immutable.
 */
final class TimeScale {

  /** Pixels per millisecond for short steps. */
  static final double PX_PER_MS = 12;

  /** Steps up to this long are drawn to scale. */
  private static final double LINEAR_MS = 4;

  /** The most a quiet gap is drawn beyond its linear part. */
  private static final double MAX_EXTRA_PX = 60;

  /** A squeezed stretch of time, for the axis. */
  record Gap(long fromNanos, long toNanos, double fromX, double toX) {}

  private final long[] times;
  private final double[] xs;

  /**
   * @param nanos every time that something happens (deduplicated and sorted here)
   * @param left the position of the earliest time
   */
  TimeScale(Collection<Long> nanos, double left) {
    TreeSet<Long> sorted = new TreeSet<>(nanos);
    sorted.add(0L);
    times = sorted.stream().mapToLong(Long::longValue).toArray();
    xs = new double[times.length];
    xs[0] = left;
    for (int i = 1; i < times.length; i++) {
      xs[i] = xs[i - 1] + width((times[i] - times[i - 1]) / 1e6);
    }
  }

  /** The drawn width of a step of {@code ms} milliseconds. */
  static double width(double ms) {
    if (ms <= LINEAR_MS) {
      return ms * PX_PER_MS;
    }
    double extra = 12 + 12 * (Math.log(ms / LINEAR_MS) / Math.log(2));
    return LINEAR_MS * PX_PER_MS + Math.min(MAX_EXTRA_PX, extra);
  }

  /** The position of {@code nanos}; between known times it interpolates, after them it clamps. */
  double x(long nanos) {
    int i = Arrays.binarySearch(times, nanos);
    if (i >= 0) {
      return xs[i];
    }
    int after = -i - 1;
    if (after == 0) {
      return xs[0];
    }
    if (after == times.length) {
      return xs[times.length - 1];
    }
    double share = (double) (nanos - times[after - 1]) / (times[after] - times[after - 1]);
    return xs[after - 1] + share * (xs[after] - xs[after - 1]);
  }

  /** The position of the latest time. */
  double right() {
    return xs[xs.length - 1];
  }

  /** The stretches drawn shorter than to scale, oldest first. */
  List<Gap> gaps() {
    List<Gap> gaps = new ArrayList<>();
    for (int i = 1; i < times.length; i++) {
      if ((times[i] - times[i - 1]) / 1e6 > LINEAR_MS) {
        gaps.add(new Gap(times[i - 1], times[i], xs[i - 1], xs[i]));
      }
    }
    return gaps;
  }
}
