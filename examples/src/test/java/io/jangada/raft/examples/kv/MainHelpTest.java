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
