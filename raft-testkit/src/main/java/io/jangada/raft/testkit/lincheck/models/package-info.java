/**
 * Ready-made {@link io.jangada.raft.testkit.lincheck.Model}s: a {@link
 * io.jangada.raft.testkit.lincheck.models.RegisterModel register} (read, write, compare-and-set)
 * and a {@link io.jangada.raft.testkit.lincheck.models.KvModel key-value map} (get, put, delete,
 * compare-and-set, create-if-absent) checked key by key. Both return {@link
 * io.jangada.raft.testkit.lincheck.models.Reply} outputs.
 */
package io.jangada.raft.testkit.lincheck.models;
