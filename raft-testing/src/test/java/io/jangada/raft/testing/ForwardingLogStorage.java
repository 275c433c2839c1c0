package io.jangada.raft.testing;

import io.jangada.raft.model.LogEntry;
import io.jangada.raft.storage.InMemoryLogStorage;
import java.io.IOException;
import java.util.List;

/** An in-memory log that tests subclass to slow down or break one operation. */
class ForwardingLogStorage implements io.jangada.raft.storage.LogStorage {

  final InMemoryLogStorage delegate = new InMemoryLogStorage();

  @Override
  public long firstIndex() {
    return delegate.firstIndex();
  }

  @Override
  public long lastIndex() {
    return delegate.lastIndex();
  }

  @Override
  public long term(long index) {
    return delegate.term(index);
  }

  @Override
  public List<LogEntry> entries(long fromInclusive, long toExclusive, long maxBytes) {
    return delegate.entries(fromInclusive, toExclusive, maxBytes);
  }

  @Override
  public void append(List<LogEntry> entries) throws IOException {
    delegate.append(entries);
  }

  @Override
  public void sync() throws IOException {
    delegate.sync();
  }

  @Override
  public void compactUpTo(long indexInclusive) throws IOException {
    delegate.compactUpTo(indexInclusive);
  }

  @Override
  public void reset(long index, long term) throws IOException {
    delegate.reset(index, term);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
