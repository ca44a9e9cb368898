package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every {@code da3} command line that README.md and docs/*.md show, in code blocks and code spans,
 * names commands and options that exist: a renamed or removed flag cannot linger in the docs.
 */
class DocsCommandLinesTest {
    private static final Pattern FENCE = Pattern.compile("(?ms)^```[a-z]*\\n(.*?)^```");
    private static final Pattern SPAN = Pattern.compile("`([^`\\n]+)`");
    /** {@code da3 run ...} or {@code java -jar target/da3-workbench.jar run ...}. */
    private static final Pattern COMMAND = Pattern.compile("(?:^|[\\s/])da3(?:-workbench\\.jar)? +([a-z][a-z-]*)(.*)");

    /** A command line found in a document. */
    private record Shown(String file, String text) {}

    private static List<Shown> commandLines() throws IOException {
        Path root = TestWorkspace.projectDir();
        List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<Shown> out = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f);
            String name = root.relativize(f).toString();
            Matcher block = FENCE.matcher(text);
            StringBuilder prose = new StringBuilder();
            int at = 0;
            while (block.find()) {
                prose.append(text, at, block.start());
                at = block.end();
                // a line continued with a backslash is one command line
                for (String line : block.group(1).replace("\\\n", " ").split("\n")) {
                    out.add(new Shown(name, line));
                }
            }
            prose.append(text.substring(at));
            Matcher span = SPAN.matcher(prose);
            while (span.find()) {
                out.add(new Shown(name, span.group(1)));
            }
        }
        return out;
    }

    @Test
    void everyCommandAndOptionTheDocsShowExists() throws IOException {
        CommandLine da3 = Da3.commandLine();
        List<String> problems = new ArrayList<>();
        int commands = 0;
        int options = 0;
        for (Shown s : commandLines()) {
            Matcher m = COMMAND.matcher(s.text());
            if (!m.find()) {
                continue;
            }
            CommandLine cmd = da3.getSubcommands().get(m.group(1));
            if (cmd == null) {
                problems.add(s.file() + ": `" + s.text() + "`: da3 has no command " + m.group(1));
                continue;
            }
            commands++;
            String[] words = m.group(2).trim().split("\\s+");
            for (int i = 0; i < words.length; i++) {
                String w = words[i];
                if (w.startsWith("#") || w.equals("|") || w.equals("&&") || w.equals(";") || w.startsWith(">")
                        || w.startsWith("(")) {
                    break; // a comment or the next command
                }
                if (i == 0 && cmd.getSubcommands().containsKey(w)) {
                    cmd = cmd.getSubcommands().get(w);
                    continue;
                }
                String option = w.matches("--[a-z][a-z-]*(=.*)?") ? w.replaceFirst("=.*", "")
                        : w.matches("-[A-Za-z]") ? w : null;
                if (option == null) {
                    continue;
                }
                options++;
                if (cmd.getCommandSpec().findOption(option) == null) {
                    problems.add(s.file() + ": `" + s.text().trim() + "`: "
                            + cmd.getCommandSpec().qualifiedName() + " has no option " + option);
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(commands).as("command lines found in the docs").isGreaterThan(40);
        assertThat(options).as("options found in them").isGreaterThan(30);
    }
}
