/**
 * The threaded driver behind {@link io.jangada.raft.RaftNode}: the node loop, log writer, applier
 * and snapshot transfers. Not API: the module does not export this package, and the few public
 * types in it are public only because {@code RaftNode} (another package) constructs them; they may
 * change in any release.
 */
package io.jangada.raft.internal;
