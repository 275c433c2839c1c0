package io.jangada.raft.examples.kv.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a timeline in a real browser, headless Chromium (Debian: {@code apt-get install chromium}):
 * the page's script runs without error (it marks the body ready and counts what it sees) and a
 * screenshot is drawn. Skipped when no Chromium is installed; {@link TimelineTest} checks the
 * page's structure everywhere.
 */
class TimelineBrowserTest {

  private static Optional<Path> chromium() {
    for (String candidate :
        List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      Path path = Path.of(candidate);
      if (Files.isExecutable(path)) {
        return Optional.of(path);
      }
    }
    return Optional.empty();
  }

  @Test
  void theScriptRunsAndThePictureIsDrawn(@TempDir Path dir) throws Exception {
    Optional<Path> browser = chromium();
    assumeTrue(browser.isPresent(), "no Chromium installed (apt-get install chromium)");
    DemoRun run = DemoScenarioTest.play("partition");
    Path page = dir.resolve("partition.html");
    Files.writeString(
        page, Timeline.html(run, Narrator.narrate(run, false)), StandardCharsets.UTF_8);

    String dom = runBrowser(browser.get(), dir, "--dump-dom", page.toUri().toString());
    long messages = run.events().stream().filter(e -> e instanceof Event.Sent).count();
    assertThat(dom).contains("data-ready=\"yes\"");
    assertThat(dom).contains("3 nodes, " + messages + " messages drawn");

    Path png = dir.resolve("partition.png");
    runBrowser(
        browser.get(),
        dir,
        "--screenshot=" + png,
        "--window-size=1400,700",
        page.toUri().toString());
    byte[] image = Files.readAllBytes(png);
    assertThat(image.length).isGreaterThan(10_000);
    assertThat(new String(image, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  private static String runBrowser(Path browser, Path dir, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(browser.toString());
    command.addAll(
        List.of(
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--user-data-dir=" + dir.resolve("profile")));
    command.addAll(List.of(args));
    Path out = dir.resolve("browser.out");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(dir.resolve("browser.err").toFile())
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the browser did not finish within 120 s: " + command);
    }
    assertThat(process.exitValue())
        .as("browser exit status; stderr: %s", Files.readString(dir.resolve("browser.err")))
        .isZero();
    return Files.readString(out, StandardCharsets.UTF_8);
  }
}
