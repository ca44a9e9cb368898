package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command lists of {@code --help} show each command's first description line on its own. */
class CommandHelpTest {

    private static void collect(CommandLine cl, List<CommandLine> out) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!out.contains(sub)) {
                out.add(sub);
                collect(sub, out);
            }
        }
    }

    @Test
    void everyCommandsFirstDescriptionLineIsAWholeSentence() {
        List<CommandLine> all = new ArrayList<>();
        collect(Da3.commandLine(), all);
        assertThat(all).hasSizeGreaterThan(10);
        for (CommandLine c : all) {
            String[] d = c.getCommandSpec().usageMessage().description();
            assertThat(d).as(c.getCommandSpec().qualifiedName()).isNotEmpty();
            assertThat(d[0]).as("the line '%s' lists for %s", d[0], c.getCommandSpec().qualifiedName())
                    .endsWith(".");
        }
    }

    @Test
    void everyOptionAnOptionsHelpNamesIsAnOptionOfItsCommand() {
        List<CommandLine> all = new ArrayList<>();
        collect(Da3.commandLine(), all);
        for (CommandLine c : all) {
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("--[a-z][a-z-]*")
                        .matcher(String.join(" ", o.description()));
                while (m.find()) {
                    assertThat(c.getCommandSpec().findOption(m.group()))
                            .as("%s %s's help names %s", c.getCommandSpec().qualifiedName(), o.longestName(), m.group())
                            .isNotNull();
                }
            }
        }
    }

    @Test
    void targetsTestHelpSaysThatNoKeyHereExitsWithTwo() {
        // a key set-up problem here (TargetsCommand's LoginSetupException) is bad input, not a host
        // that could not be logged into
        String help = Da3.commandLine().getSubcommands().get("targets").getSubcommands().get("test").getUsageMessage();
        assertThat(help.replaceAll("\\s+", " ")).contains("2 no target of that name, targets.yaml is invalid, or"
                + " no key here to log in with");
    }
}
