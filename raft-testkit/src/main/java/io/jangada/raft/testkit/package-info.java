/**
 * Test tools for Raft-based systems, usable on any system that records client operations. The
 * linearizability checker lives in {@link io.jangada.raft.testkit.lincheck}.
 */
package io.jangada.raft.testkit;
