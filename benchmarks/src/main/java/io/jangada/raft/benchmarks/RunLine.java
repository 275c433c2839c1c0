package io.jangada.raft.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/** One run's {@code RESULT} line, kept as text and read for its throughput. */
record RunLine(String text, double opsPerSecond) {

  static RunLine parse(String text) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String token : text.split(" ")) {
      int equals = token.indexOf('=');
      if (equals > 0) {
        fields.put(token.substring(0, equals), token.substring(equals + 1));
      }
    }
    String throughput = fields.get("ops_per_s");
    if (!text.startsWith("RESULT ") || throughput == null) {
      throw new IllegalArgumentException("not a RESULT line: " + text);
    }
    return new RunLine(text, Double.parseDouble(throughput));
  }

  /** The same line, marked as the median of {@code runs} runs. */
  String asMedian(int runs) {
    return text.replaceFirst(" run=\\d+", " run=median-of-" + runs);
  }
}
