package io.jangada.raft.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one measured run of {@link NodeBenchmark} in a fresh JVM with this JVM's own flags and class
 * path (BENCHMARK.md: {@code -Xmx2g -Xms2g -XX:+UseG1GC}, set by {@code benchmarks/run.sh}), and
 * returns the {@code RESULT} line it printed. The child's other output goes to this process's
 * standard error.
 */
final class ForkedRun {
  private ForkedRun() {}

  static String run(String[] arguments, int runNumber) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(NodeBenchmark.class.getName());
    command.addAll(Arrays.asList(arguments));
    command.add("--runs=1");
    command.add("--run-number=" + runNumber);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String result = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.startsWith("RESULT ")) {
          result = line;
        } else {
          System.err.println(line);
        }
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || result == null) {
      throw new IllegalStateException(
          "run " + runNumber + " failed (exit code " + exit + ", no RESULT line)");
    }
    return result;
  }
}
