package io.jangada.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden interaction scripts (TESTING.md tier T2): one dynamic test per file in {@code
 * src/test/resources/interaction/*.txt}, each replayed by a fresh {@link InteractionRunner}.
 *
 * <p>A file is a sequence of blocks separated by blank lines. A block is optional {@code #} comment
 * lines, one command line, a {@code ----} line, then the expected output (never blank). The first
 * block whose output differs fails the test with a diff naming the file and block.
 *
 * <p>To regenerate every expected output after an intended change, run
 *
 * <pre>
 * mvn -B -ntp -o -pl raft-core test -Dtest=InteractionTest -Draft.rewrite=true
 * </pre>
 *
 * and review the diff of the files: a golden file is an assertion, so read it as one.
 */
class InteractionTest {

  private static final Path DIR = Path.of("src", "test", "resources", "interaction");

  /** One command with its expected output. */
  record Block(List<String> comments, String command, List<String> expected) {}

  @TestFactory
  Stream<DynamicTest> scripts() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(DIR)) {
      files = list.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    assertThat(files).as("golden scripts in %s", DIR.toAbsolutePath()).isNotEmpty();
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> replay(f)));
  }

  /**
   * {@code -Draft.rewrite=true} (or TESTING.md's {@code -Dupdate.golden=true}) rewrites the files.
   */
  static boolean rewriting() {
    return Boolean.getBoolean("raft.rewrite") || Boolean.getBoolean("update.golden");
  }

  static void replay(Path file) throws IOException {
    List<Block> blocks = parse(Files.readAllLines(file, StandardCharsets.UTF_8), file);
    boolean rewrite = rewriting();
    InteractionRunner runner = new InteractionRunner();
    StringBuilder rewritten = new StringBuilder();
    for (int i = 0; i < blocks.size(); i++) {
      Block b = blocks.get(i);
      List<String> actual;
      try {
        actual = runner.run(b.command());
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError(
            file + " block " + (i + 1) + " `" + b.command() + "` threw " + e, e);
      }
      if (rewrite) {
        b.comments().forEach(c -> rewritten.append(c).append('\n'));
        rewritten.append(b.command()).append("\n----\n");
        actual.forEach(l -> rewritten.append(l).append('\n'));
        rewritten.append('\n');
      } else if (!actual.equals(b.expected())) {
        throw new AssertionError(
            file
                + " block "
                + (i + 1)
                + " `"
                + b.command()
                + "` output differs (-expected +actual; rerun with -Draft.rewrite=true to"
                + " accept):\n"
                + diff(b.expected(), actual));
      }
    }
    if (rewrite) {
      Files.writeString(file, rewritten.toString().stripTrailing() + "\n", StandardCharsets.UTF_8);
    }
  }

  /** A wrong expected output fails with the file, the block and a diff (unless rewriting). */
  @Test
  void mismatchNamesFileBlockAndDiff(@TempDir Path dir) throws IOException {
    Path script = dir.resolve("wrong.txt");
    Files.writeString(
        script,
        "add-nodes 1\n----\nvoters=[n1] election=10 heartbeat=1 prevote=false checkquorum=false"
            + " inflight=256 maxentries=4096\n\ncampaign n1\n----\nn1 FOLLOWER t0\n");
    if (rewriting()) {
      return; // rewriting accepts any output by design
    }
    assertThatThrownBy(() -> replay(script))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("wrong.txt block 2 `campaign n1`")
        .hasMessageContaining("- n1 FOLLOWER t0\n+ n1 LEADER t1");
  }

  static List<Block> parse(List<String> lines, Path file) {
    List<Block> blocks = new ArrayList<>();
    int i = 0;
    while (i < lines.size()) {
      if (lines.get(i).isBlank()) {
        i++;
        continue;
      }
      List<String> comments = new ArrayList<>();
      while (i < lines.size() && lines.get(i).startsWith("#")) {
        comments.add(lines.get(i++));
      }
      if (i + 1 >= lines.size() || !lines.get(i + 1).equals("----")) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": expected a command line followed by ----");
      }
      String command = lines.get(i);
      i += 2;
      List<String> expected = new ArrayList<>();
      while (i < lines.size() && !lines.get(i).isBlank()) {
        expected.add(lines.get(i++));
      }
      blocks.add(new Block(comments, command, expected));
    }
    return blocks;
  }

  /** A line diff via the longest common subsequence: {@code " "} same, {@code -}/{@code +}. */
  static String diff(List<String> expected, List<String> actual) {
    int n = expected.size();
    int m = actual.size();
    int[][] lcs = new int[n + 1][m + 1];
    for (int a = n - 1; a >= 0; a--) {
      for (int b = m - 1; b >= 0; b--) {
        lcs[a][b] =
            expected.get(a).equals(actual.get(b))
                ? lcs[a + 1][b + 1] + 1
                : Math.max(lcs[a + 1][b], lcs[a][b + 1]);
      }
    }
    StringBuilder out = new StringBuilder();
    int a = 0;
    int b = 0;
    while (a < n || b < m) {
      if (a < n && b < m && expected.get(a).equals(actual.get(b))) {
        out.append("  ").append(expected.get(a++)).append('\n');
        b++;
      } else if (a < n && (b == m || lcs[a + 1][b] >= lcs[a][b + 1])) {
        out.append("- ").append(expected.get(a++)).append('\n');
      } else {
        out.append("+ ").append(actual.get(b++)).append('\n');
      }
    }
    return out.toString();
  }
}
