package io.jangada.raft.examples.kv.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The ordered record of a demo run. Everything in a demo cluster runs on the one thread that moves
 * virtual time, so the order of {@link #add} calls is the order things happened.
 *
 * <p>Thread: confined to the thread driving the cluster (synchronized only as a safety net).
 */
final class Trace {

  private final List<Event> events = new ArrayList<>();

  synchronized void add(Event event) {
    events.add(event);
  }

  /** The events so far, oldest first. */
  synchronized List<Event> events() {
    return List.copyOf(events);
  }
}
