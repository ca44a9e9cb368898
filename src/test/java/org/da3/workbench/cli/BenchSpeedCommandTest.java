package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.run.event.EventCodec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code da3 bench speed} in rounds, each probe a real worker JVM on a tiny network. */
class BenchSpeedCommandTest {

    @Test
    void measuresEveryMethodOncePerRoundAndTakesRatiosWithinRounds() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            code = new CommandLine(new BenchSpeedCommand()).execute("--config", "resnet26:8:16:4", "--methods",
                    "finetune,da3", "--rounds", "2", "--steps", "1", "--warmup", "1", "--threads", "1", "--json",
                    "--no-docs");
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        List<JsonNode> rows = new ArrayList<>();
        for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("{")) {
                rows.add(EventCodec.JSON.readTree(line));
            }
        }
        assertThat(rows).extracting(r -> r.get("label").asText())
                .containsExactly("finetune", "da3", "da3, gates 0.70 open");
        for (JsonNode r : rows) {
            JsonNode rounds = r.get("round_step_seconds");
            assertThat(rounds.size()).as(r.toString()).isEqualTo(2);
            double lo = Math.min(rounds.get(0).asDouble(), rounds.get(1).asDouble());
            double hi = Math.max(rounds.get(0).asDouble(), rounds.get(1).asDouble());
            assertThat(lo).isPositive();
            assertThat(r.get("step_seconds").asDouble()).isBetween(lo, hi);
            assertThat(r.get("vs_finetune").asDouble()).isBetween(r.get("vs_finetune_min").asDouble(),
                    r.get("vs_finetune_max").asDouble());
        }
        // fine-tune against itself, round by round
        assertThat(rows.get(0).get("vs_finetune_min").asDouble()).isEqualTo(1.0);
        assertThat(rows.get(0).get("vs_finetune_max").asDouble()).isEqualTo(1.0);
        assertThat(rows.get(2).get("gate_open_ratio").asDouble()).isLessThan(1.0);
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertThat(BenchSpeedCommand.median(new double[] {3, 1, 2})).isEqualTo(2.0);
        assertThat(BenchSpeedCommand.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }

    @Test
    void rejectsRoundsBelowOneAsBadInputNamingTheOption() {
        CommandLine cl = Da3.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err, true));
        assertThat(cl.execute("bench", "speed", "--rounds", "0", "--no-docs")).isEqualTo(2);
        assertThat(err.toString()).contains("--rounds: 0 is not a positive number of rounds");
    }
}
