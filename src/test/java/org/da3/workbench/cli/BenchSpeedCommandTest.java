package org.da3.workbench.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.da3.workbench.run.event.EventCodec;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code da3 bench speed} in rounds of paired steps, each probe a real worker JVM on a tiny network. */
class BenchSpeedCommandTest {

    @Test
    void pairsEveryMethodsStepsWithFineTuneStepsRoundByRound() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            code = new CommandLine(new BenchSpeedCommand()).execute("--config", "resnet26:8:16:4", "--methods",
                    "finetune,da3", "--rounds", "2", "--steps", "2", "--warmup", "1", "--threads", "1", "--json",
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
            // two rounds of two steps, each beside a fine-tune step (fine-tune's own: one per other step)
            assertThat(r.get("vs_finetune_pairs").asInt()).as(r.toString()).isEqualTo(r == rows.get(0) ? 8 : 4);
            assertThat(r.get("round_vs_finetune").size()).isEqualTo(2);
            // the raw pairs and steps behind the medians, round by round
            assertThat(r.get("pair_ratios").size()).isEqualTo(2);
            assertThat(r.get("steps").get(1).size()).isEqualTo(r == rows.get(0) ? 4 : 2);
            if (r != rows.get(0)) {
                double s0 = r.get("steps").get(0).get(0).asDouble();
                assertThat(r.get("pair_ratios").get(0).get(0).asDouble()).isEqualTo(s0 / rows.get(0).get("steps")
                        .get(0).get(r == rows.get(1) ? 0 : 2).asDouble(), within(1e-12));
            }
        }
        // fine-tune against itself, round by round
        assertThat(rows.get(0).get("vs_finetune_min").asDouble()).isEqualTo(1.0);
        assertThat(rows.get(0).get("vs_finetune_max").asDouble()).isEqualTo(1.0);
        assertThat(rows.get(2).get("gate_open_ratio").asDouble()).isLessThan(1.0);
    }

    /** Runs bench speed with --json on a tiny network; returns the exit code and the rows. */
    private static int speed(List<JsonNode> rows, String methods) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            code = new CommandLine(new BenchSpeedCommand()).execute("--config", "resnet26:8:16:4", "--methods", methods,
                    "--rounds", "1", "--steps", "2", "--warmup", "1", "--threads", "1", "--gate-open", "none", "--json",
                    "--no-docs");
        } finally {
            System.setOut(old);
        }
        for (String line : buf.toString(StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("{")) {
                rows.add(EventCodec.JSON.readTree(line));
            }
        }
        return code;
    }

    @Test
    void aMethodWhoseProbeDiesFailsAloneAndTheOthersAreStillMeasured() throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        int code;
        // the second probe started is linear's (fine-tune's stays up through the round)
        try (ChildKiller k = new ChildKiller(2, 2, 120)) {
            code = speed(rows, "finetune,linear,bn+last");
            assertThat(k.killed()).isTrue();
        }
        assertThat(code).isEqualTo(1);
        assertThat(rows).extracting(r -> r.get("label").asText()).containsExactly("finetune", "linear", "bn+last");
        JsonNode linear = rows.get(1);
        assertThat(linear.get("error").asText()).startsWith("round 1: the probe for linear");
        assertThat(linear.get("step_seconds").isNull()).isTrue();
        assertThat(linear.get("vs_finetune_pairs").asInt()).isZero();
        JsonNode bnLast = rows.get(2);
        assertThat(bnLast.has("error")).isFalse();
        assertThat(bnLast.get("step_seconds").asDouble()).isPositive();
        assertThat(bnLast.get("vs_finetune_pairs").asInt()).isEqualTo(2);
        assertThat(rows.get(0).get("vs_finetune_pairs").asInt()).isEqualTo(2);
    }

    @Test
    void whenTheFineTuneProbeDiesTheRoundGoesOnUnpaired() throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        int code;
        // fine-tune's probe (the first) dies once it has warmed up and linear's has started
        try (ChildKiller k = new ChildKiller(1, 2, 120)) {
            code = speed(rows, "finetune,linear");
            assertThat(k.killed()).isTrue();
        }
        assertThat(code).isEqualTo(1);
        JsonNode ft = rows.get(0);
        assertThat(ft.get("error").asText()).startsWith("round 1: the probe for finetune");
        assertThat(ft.get("step_seconds").isNull()).isTrue();
        JsonNode linear = rows.get(1);
        assertThat(linear.has("error")).isFalse();
        assertThat(linear.get("steps").get(0).size()).isEqualTo(2);
        assertThat(linear.get("vs_finetune").isNull()).isTrue();
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
        assertThat(err.toString()).contains("--rounds: 0 is out of range; use a whole number from 1 to 100");
    }

    @Test
    void aStepwiseProbeThatCannotStartReportsItsLog() {
        org.da3.workbench.memory.ProbeRequest req = new org.da3.workbench.memory.ProbeRequest("resnet26", 8, 16, 2, 10,
                "no-such-method", null, null, 1, 0, "sgd", 0.01, 0.9, 1, 7, null);
        assertThatThrownBy(() -> new ProbeRunner.Stepwise(req).close()).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("the probe for no-such-method").hasMessageContaining("unknown method 'no-such-method'");
    }

    @Test
    void aSubsetOfMethodsLeavesThePublishedTableAlone() throws Exception {
        PublishedDocs.Printed r = PublishedDocs.runKeeping(new BenchSpeedCommand(), "--config", "resnet26:8:16:4",
                "--methods", "finetune,linear", "--rounds", "1", "--steps", "1", "--warmup", "0", "--threads", "1");
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out())
                .contains("--methods measured a subset: docs/benchmarks.md keeps its table for this configuration.");
    }

    @Test
    void theTableNamesTheOptionsThatMeasuredIt() throws Exception {
        // the command a table names must measure it again: steps, warm-up, threads and the gates' ratio too
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int code;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            System.setOut(out);
            code = new CommandLine(new BenchSpeedCommand()).execute("--config", "resnet26:4:8:2", "--methods", "linear",
                    "--rounds", "1", "--steps", "1", "--warmup", "0", "--threads", "1", "--gate-open", "none",
                    "--no-docs");
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("(`da3 bench speed --config resnet26:4:8:2 --methods"
                + " linear --steps 1 --warmup 0 --threads 1 --gate-open none --rounds 1`)");
    }
}
