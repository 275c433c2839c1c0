/**
 * The network SPI: {@link io.jangada.raft.transport.Transport} with its {@link
 * io.jangada.raft.transport.Transport.Inbox} callback.
 */
package io.jangada.raft.transport;
