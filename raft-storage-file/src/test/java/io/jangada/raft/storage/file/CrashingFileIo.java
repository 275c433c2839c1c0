package io.jangada.raft.storage.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * A {@link FileIo} that works on real files but also models what the disk has made durable, so a
 * test can stop at the k-th mutating operation ("crash") and then rewrite the directory to one of
 * the states a real crash could leave:
 *
 * <ul>
 *   <li>file data: the content at the last force, plus a prefix of the later writes and truncations
 *       (an unforced truncation may also be lost while later writes survive), the last kept write
 *       possibly torn (cut short, or its end zero-filled);
 *   <li>directory entries: those made durable by a directory fsync, plus a prefix of the later
 *       creations, renames and deletions in that directory.
 * </ul>
 *
 * The real force and directory fsync are skipped (the model decides durability), which keeps the
 * tests fast. Every operation after the crash throws {@link Crash}.
 */
final class CrashingFileIo implements FileIo {

  /** Thrown at the crash point: the process "stops". */
  static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Crash(String message) {
      super(message);
    }
  }

  private sealed interface DataOp permits Write, Truncate {}

  private record Write(long position, byte[] bytes) implements DataOp {}

  private record Truncate(long size) implements DataOp {}

  private static final class Inode {
    byte[] durable = new byte[0];
    final List<DataOp> pending = new ArrayList<>();
  }

  private sealed interface DirOp permits Create, Rename, Delete {
    Path dir();
  }

  private record Create(Path path, Inode inode) implements DirOp {
    public Path dir() {
      return path.getParent();
    }
  }

  private record Rename(Path from, Path to) implements DirOp {
    public Path dir() {
      return from.getParent();
    }
  }

  private record Delete(Path path) implements DirOp {
    public Path dir() {
      return path.getParent();
    }
  }

  private final long crashAt;
  private long points;
  private String crashedAt;
  private final Map<Path, Inode> current = new HashMap<>();
  private final Map<Path, Inode> durableNames = new HashMap<>();
  private final List<DirOp> pendingDir = new ArrayList<>();

  /** Crashes at the {@code crashAt}-th mutating operation (never if {@code crashAt <= 0}). */
  CrashingFileIo(long crashAt) {
    this.crashAt = crashAt;
  }

  /** The number of mutating operations so far. */
  long points() {
    return points;
  }

  boolean crashed() {
    return crashedAt != null;
  }

  private void point(String what) {
    if (crashedAt != null) {
      throw new Crash("already crashed at " + crashedAt);
    }
    points++;
    if (points == crashAt) {
      crashedAt = "#" + points + " " + what;
      throw new Crash("crash at " + crashedAt);
    }
  }

  @Override
  public IoFile open(Path path) throws IOException {
    if (crashedAt != null) {
      throw new Crash("already crashed");
    }
    Inode inode = current.get(path);
    if (inode == null) {
      throw new IOException("not in the model: " + path);
    }
    return new ModelFile(RealFileIo.INSTANCE.open(path), inode, path);
  }

  @Override
  public IoFile create(Path path) throws IOException {
    point("create " + path.getFileName());
    IoFile real = RealFileIo.INSTANCE.create(path);
    Inode inode = new Inode();
    current.put(path, inode);
    pendingDir.add(new Create(path, inode));
    return new ModelFile(real, inode, path);
  }

  @Override
  public void rename(Path from, Path to) throws IOException {
    point("rename " + from.getFileName() + " -> " + to.getFileName());
    RealFileIo.INSTANCE.rename(from, to);
    current.put(to, current.remove(from));
    pendingDir.add(new Rename(from, to));
  }

  @Override
  public void delete(Path path) throws IOException {
    point("delete " + path.getFileName());
    RealFileIo.INSTANCE.delete(path);
    if (current.remove(path) != null) {
      pendingDir.add(new Delete(path));
    }
  }

  @Override
  public void syncDirectory(Path dir) {
    point("fsync dir " + dir.getFileName());
    List<DirOp> rest = new ArrayList<>();
    for (DirOp op : pendingDir) {
      if (op.dir().equals(dir)) {
        apply(durableNames, op);
      } else {
        rest.add(op);
      }
    }
    pendingDir.clear();
    pendingDir.addAll(rest);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    point("mkdirs " + dir.getFileName());
    Files.createDirectories(dir); // directories are modelled as always durable
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return RealFileIo.INSTANCE.list(dir);
  }

  @Override
  public boolean exists(Path path) {
    return current.containsKey(path);
  }

  private static void apply(Map<Path, Inode> names, DirOp op) {
    if (op instanceof Create c) {
      names.put(c.path(), c.inode());
    } else if (op instanceof Rename r) {
      Inode inode = names.remove(r.from());
      if (inode != null) {
        names.put(r.to(), inode);
      } else {
        names.remove(r.to());
      }
    } else if (op instanceof Delete d) {
      names.remove(d.path());
    } else {
      throw new AssertionError(op);
    }
  }

  private static byte[] apply(byte[] content, DataOp op) {
    if (op instanceof Write w) {
      long end = w.position() + w.bytes().length;
      byte[] out = end > content.length ? Arrays.copyOf(content, (int) end) : content.clone();
      System.arraycopy(w.bytes(), 0, out, (int) w.position(), w.bytes().length);
      return out;
    } else if (op instanceof Truncate t) {
      return t.size() < content.length ? Arrays.copyOf(content, (int) t.size()) : content;
    } else {
      throw new AssertionError(op);
    }
  }

  /**
   * Rewrites the files under {@code root} to a state a crash could leave, chosen by {@code random}.
   */
  void materialize(Path root, RandomGenerator random) throws IOException {
    // Sorted, so that the same seed makes the same choices whatever the temp directory's name.
    Map<Path, Inode> names = new TreeMap<>(durableNames);
    Map<Path, List<DirOp>> byDir = new LinkedHashMap<>();
    for (DirOp op : pendingDir) {
      byDir.computeIfAbsent(op.dir(), d -> new ArrayList<>()).add(op);
    }
    for (List<DirOp> ops : byDir.values()) {
      int keep = random.nextInt(ops.size() + 1);
      for (int i = 0; i < keep; i++) {
        apply(names, ops.get(i));
      }
    }
    Map<Path, byte[]> contents = new TreeMap<>();
    Map<Inode, byte[]> decided = new HashMap<>();
    for (Map.Entry<Path, Inode> e : names.entrySet()) {
      contents.put(e.getKey(), decided.computeIfAbsent(e.getValue(), i -> crashContent(i, random)));
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        Files.delete(p);
      }
    }
    for (Map.Entry<Path, byte[]> e : contents.entrySet()) {
      Files.write(e.getKey(), e.getValue());
    }
  }

  private static byte[] crashContent(Inode inode, RandomGenerator random) {
    byte[] content = inode.durable;
    int keep = random.nextInt(inode.pending.size() + 1);
    for (int i = 0; i < keep; i++) {
      DataOp op = inode.pending.get(i);
      if (op instanceof Truncate && random.nextBoolean()) {
        continue; // a size change not forced may be lost while later data writes survive
      }
      content = apply(content, op);
    }
    if (keep < inode.pending.size()
        && inode.pending.get(keep) instanceof Write w
        && w.bytes().length > 0
        && random.nextBoolean()) {
      int torn = random.nextInt(w.bytes().length);
      byte[] part = Arrays.copyOf(w.bytes(), torn);
      if (random.nextBoolean()) {
        part = Arrays.copyOf(part, w.bytes().length); // size extended, the rest zero-filled
      }
      content = apply(content, new Write(w.position(), part));
    }
    return content;
  }

  private final class ModelFile implements IoFile {
    private final IoFile real;
    private final Inode inode;
    private final Path path;

    ModelFile(IoFile real, Inode inode, Path path) {
      this.real = real;
      this.inode = inode;
      this.path = path;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      point("write " + src.remaining() + " bytes at " + position + " of " + path.getFileName());
      byte[] bytes = new byte[src.remaining()];
      src.duplicate().get(bytes);
      real.write(src, position);
      inode.pending.add(new Write(position, bytes));
    }

    @Override
    public void truncate(long size) throws IOException {
      point("truncate " + path.getFileName() + " to " + size);
      real.truncate(size);
      inode.pending.add(new Truncate(size));
    }

    @Override
    public void force() {
      point("force " + path.getFileName());
      byte[] content = inode.durable;
      for (DataOp op : inode.pending) {
        content = apply(content, op);
      }
      inode.durable = content;
      inode.pending.clear();
    }

    @Override
    public void close() throws IOException {
      real.close();
    }
  }
}
