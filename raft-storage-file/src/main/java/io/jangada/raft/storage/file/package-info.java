/**
 * Durable file storage for Jangada: {@link io.jangada.raft.storage.file.FileStorage} opens a data
 * directory and provides the log, hard-state and snapshot SPIs, using the JDK only.
 */
package io.jangada.raft.storage.file;
