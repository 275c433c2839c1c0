package io.jangada.raft.examples.kv.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Golden files: the expected output lives in a text file; {@code -Dupdate.golden=true} rewrites it
 * with the actual output instead of comparing (then review the diff like any change of an
 * assertion).
 */
final class Golden {

  private Golden() {}

  static boolean rewriting() {
    return Boolean.getBoolean("update.golden");
  }

  /**
   * @throws AssertionError naming the file and the first differing line, unless rewriting
   */
  static void check(Path file, List<String> actual) throws IOException {
    if (rewriting()) {
      Files.createDirectories(file.getParent());
      Files.write(file, actual, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(file)) {
      throw new AssertionError(file + " is missing; run with -Dupdate.golden=true to create it");
    }
    List<String> expected = Files.readAllLines(file, StandardCharsets.UTF_8);
    int n = Math.min(expected.size(), actual.size());
    for (int i = 0; i < n; i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        throw new AssertionError(
            file
                + " line "
                + (i + 1)
                + " differs (rerun with -Dupdate.golden=true to accept):\n- "
                + expected.get(i)
                + "\n+ "
                + actual.get(i)
                + "\nactual output:\n"
                + String.join("\n", actual));
      }
    }
    if (expected.size() != actual.size()) {
      throw new AssertionError(
          file
              + " has "
              + expected.size()
              + " lines, the output "
              + actual.size()
              + " (rerun with -Dupdate.golden=true to accept); actual output:\n"
              + String.join("\n", actual));
    }
  }
}
