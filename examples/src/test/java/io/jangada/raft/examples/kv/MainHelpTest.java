package io.jangada.raft.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What {@code kv --help} and each {@code kv <command> --help} tell an operator. */
class MainHelpTest {

  @Test
  void theTopLevelHelpSumsUpEveryCommandInWholeSentences() {
    for (Map.Entry<String, CommandLine> sub : Main.commandLine().getSubcommands().entrySet()) {
      String[] description = sub.getValue().getCommandSpec().usageMessage().description();
      assertThat(description).as(sub.getKey()).isNotEmpty();
      // The first line is the summary `kv --help` lists: a sentence, not half of one.
      assertThat(description[0]).as("summary of %s", sub.getKey()).endsWith(".");
    }
  }

  /** Help for a command that does not exist is a usage error, not the top-level help. */
  @Test
  void helpForAnUnknownCommandIsAUsageError() {
    java.io.StringWriter err = new java.io.StringWriter();
    java.io.StringWriter out = new java.io.StringWriter();
    CommandLine kv = Main.commandLine();
    kv.setErr(new java.io.PrintWriter(err));
    kv.setOut(new java.io.PrintWriter(out));
    assertThat(kv.execute("dump", "--help")).isEqualTo(2);
    assertThat(err.toString()).startsWith("error: ").contains("'dump'");
    assertThat(out.toString()).isEmpty();
    CommandLine again = Main.commandLine();
    again.setOut(new java.io.PrintWriter(new java.io.StringWriter()));
    assertThat(again.execute("--help")).isZero();
  }

  /** Every command's usage offers -V/--version: each must print the version, not nothing. */
  @Test
  void everyCommandPrintsTheVersion() {
    for (String command : Main.commandLine().getSubcommands().keySet()) {
      for (String flag : new String[] {"-V", "--version"}) {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine kv = Main.commandLine();
        kv.setOut(new java.io.PrintWriter(out, true));
        assertThat(kv.execute(command, flag)).as("kv %s %s", command, flag).isZero();
        assertThat(out.toString())
            .as("kv %s %s", command, flag)
            .startsWith("Jangada key-value example ");
      }
    }
  }

  @Test
  void everyOptionWithADefaultSaysIt() {
    for (Map.Entry<String, CommandLine> sub : Main.commandLine().getSubcommands().entrySet()) {
      for (OptionSpec option : sub.getValue().getCommandSpec().options()) {
        if (option.defaultValue() == null || option.usageHelp() || option.versionHelp()) {
          continue;
        }
        if (option.type() == boolean.class || option.type() == Boolean.class) {
          continue;
        }
        assertThat(String.join(" ", option.description()))
            .as("kv %s %s", sub.getKey(), option.longestName())
            .contains("default");
      }
    }
  }
}
