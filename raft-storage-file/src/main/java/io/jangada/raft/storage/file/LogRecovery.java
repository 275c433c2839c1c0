package io.jangada.raft.storage.file;

import io.jangada.raft.storage.file.FileIo.IoFile;
import io.jangada.raft.storage.file.SegmentScanner.CorruptLogException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a log directory: reads the meta file, validates every segment (headers, every record's
 * checksum, contiguous indexes), cuts a torn tail of the last segment with a warning, and removes
 * what a crash left behind (temporary files, segments already compacted or from before a reset). In
 * read-only mode it changes nothing and only reports.
 */
final class LogRecovery {

  private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

  /** The recovered state: segments in index order, the last one open for appends. */
  record Recovered(LogMeta meta, List<Segment> segments, List<String> notes) {}

  private final FileIo io;
  private final Path dir;
  private final boolean readOnly;
  private final List<String> notes = new ArrayList<>();
  private final List<Segment> opened = new ArrayList<>();
  private boolean dirChanged;

  private LogRecovery(FileIo io, Path dir, boolean readOnly) {
    this.io = io;
    this.dir = dir;
    this.readOnly = readOnly;
  }

  static Recovered recover(FileIo io, Path dir, boolean readOnly) throws IOException {
    LogRecovery recovery = new LogRecovery(io, dir, readOnly);
    try {
      return recovery.run();
    } catch (IOException | RuntimeException e) {
      for (Segment s : recovery.opened) {
        try {
          s.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  private Recovered run() throws IOException {
    LogMeta meta = LogMeta.read(io, dir);
    TreeMap<Long, SegmentName> names = new TreeMap<>();
    for (Path file : io.list(dir)) {
      String name = file.getFileName().toString();
      if (name.endsWith(MetaFile.TMP_SUFFIX)) {
        change("removing temporary file " + file + " left by a crash", () -> io.delete(file));
        continue;
      }
      Optional<SegmentName> parsed = SegmentName.parse(file);
      if (parsed.isEmpty()) {
        continue; // the meta file, or something that is not ours
      }
      SegmentName previous = names.put(parsed.get().first(), parsed.get());
      if (previous != null) {
        throw new CorruptLogException(
            file, 0, "two segments start at index " + parsed.get().first() + ": " + previous);
      }
    }
    List<Segment> live = readHeaders(meta, names);
    List<Segment> segments = scanAll(live);
    segments = dropCompacted(meta, segments);
    checkContiguous(meta, segments);
    fixNames(segments);
    if (dirChanged && !readOnly) {
      io.syncDirectory(dir);
    }
    return new Recovered(meta, segments, List.copyOf(notes));
  }

  /** Opens each segment and checks its header; drops stale and torn-empty ones. */
  private List<Segment> readHeaders(LogMeta meta, TreeMap<Long, SegmentName> names)
      throws IOException {
    List<Segment> live = new ArrayList<>();
    long lastFirst = names.isEmpty() ? -1 : names.lastKey();
    for (SegmentName name : names.values()) {
      Path path = dir.resolve(name.fileName());
      IoFile file = io.open(path);
      boolean keep = false;
      try {
        long size = file.size();
        if (size < RecordFormat.HEADER_SIZE) {
          if (name.first() != lastFirst) {
            throw new CorruptLogException(path, 0, "file of " + size + " bytes has no header");
          }
          change(
              "removing " + path + ": only " + size + " bytes, a segment torn while being created",
              () -> io.delete(path));
          continue;
        }
        RecordFormat.Header header;
        try {
          header = SegmentScanner.readHeader(file, path);
        } catch (CorruptLogException e) {
          // The header is forced before any record is written: a bad header with nothing after it
          // in the last segment is a creation torn by a crash.
          if (name.first() != lastFirst || size > RecordFormat.HEADER_SIZE) {
            throw e;
          }
          change(
              "removing " + path + ": its header is torn (" + e.getMessage() + ")",
              () -> io.delete(path));
          continue;
        }
        if (header.firstIndex() != name.first()) {
          throw new CorruptLogException(
              path, 0, "header says the segment starts at " + header.firstIndex());
        }
        if (header.generation() < meta.generation()) {
          change(
              "removing "
                  + path
                  + ": left over from before a reset (generation "
                  + header.generation()
                  + " < "
                  + meta.generation()
                  + ")",
              () -> io.delete(path));
          continue;
        }
        if (header.generation() > meta.generation()) {
          throw new CorruptLogException(
              path,
              0,
              "segment generation "
                  + header.generation()
                  + " is newer than the log meta's "
                  + meta.generation());
        }
        Segment placeholder = new Segment(path, file, header.generation(), name.first(), false);
        live.add(placeholder);
        opened.add(placeholder);
        keep = true;
      } finally {
        if (!keep) {
          file.close();
        }
      }
    }
    return live;
  }

  /** Scans every record of every segment; cuts a torn tail of the last one. */
  private List<Segment> scanAll(List<Segment> live) throws IOException {
    List<Segment> scanned = new ArrayList<>();
    for (int k = 0; k < live.size(); k++) {
      Segment placeholder = live.get(k);
      Path path = placeholder.path();
      SegmentName name = SegmentName.parse(path).orElseThrow();
      boolean last = k == live.size() - 1;
      SegmentScanner.Result result =
          SegmentScanner.scan(
              placeholder.file(),
              path,
              new RecordFormat.Header(placeholder.generation, placeholder.first),
              !name.isOpen(),
              last);
      Segment segment = result.segment();
      if (!last && name.last().isPresent() && name.last().get() != segment.last()) {
        throw new CorruptLogException(
            path,
            segment.end(),
            "segment ends at index " + segment.last() + " but its name says " + name.last().get());
      }
      if (result.torn().isPresent()) {
        SegmentScanner.Torn torn = result.torn().get();
        long size = segment.file().size();
        String what =
            "torn tail in "
                + path
                + " at offset "
                + torn.offset()
                + " ("
                + torn.reason()
                + "): truncating "
                + (size - torn.offset())
                + " bytes after index "
                + segment.last();
        LOG.warn(what);
        notes.add("WARN " + what);
        if (!readOnly) {
          segment.file().truncate(torn.offset());
          segment.file().force();
        }
      }
      scanned.add(segment);
    }
    return scanned;
  }

  /** Removes segments whose entries were all compacted (a crash interrupted their deletion). */
  private List<Segment> dropCompacted(LogMeta meta, List<Segment> segments) throws IOException {
    List<Segment> kept = new ArrayList<>();
    for (Segment s : segments) {
      if (s.last() <= meta.compactIndex()) {
        s.close();
        opened.remove(s);
        Path path = s.path();
        change("removing compacted segment " + path, () -> io.delete(path));
      } else {
        kept.add(s);
      }
    }
    return kept;
  }

  private void checkContiguous(LogMeta meta, List<Segment> segments) throws IOException {
    long expected = meta.compactIndex() + 1;
    for (int k = 0; k < segments.size(); k++) {
      Segment s = segments.get(k);
      boolean ok = k == 0 ? s.first <= expected : s.first == expected;
      if (!ok) {
        throw new CorruptLogException(
            s.path(),
            0,
            "gap in the log: the segment starts at index "
                + s.first
                + " but "
                + expected
                + " was expected");
      }
      expected = s.last() + 1;
    }
  }

  /** Closed segments get their closed name; the last segment becomes the open one. */
  private void fixNames(List<Segment> segments) throws IOException {
    for (int k = 0; k < segments.size(); k++) {
      Segment s = segments.get(k);
      boolean last = k == segments.size() - 1;
      SegmentName want = last ? SegmentName.open(s.first) : SegmentName.closed(s.first, s.last());
      Path target = dir.resolve(want.fileName());
      if (!target.equals(s.path())) {
        Path from = s.path();
        change("renaming " + from.getFileName() + " to " + want, () -> io.rename(from, target));
      }
      Path now = readOnly ? s.path() : target;
      if (last) {
        s.unseal(now);
      } else {
        s.seal(now);
      }
    }
  }

  private interface Action {
    void run() throws IOException;
  }

  private void change(String what, Action action) throws IOException {
    notes.add(what);
    LOG.info(what);
    if (!readOnly) {
      action.run();
      dirChanged = true;
    }
  }
}
