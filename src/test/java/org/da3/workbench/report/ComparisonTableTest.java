package org.da3.workbench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.da3.workbench.report.ComparisonTable.Better;
import org.da3.workbench.report.ComparisonTable.Cell;
import org.da3.workbench.report.ComparisonTable.Column;
import org.da3.workbench.report.ComparisonTable.Row;
import org.junit.jupiter.api.Test;

class ComparisonTableTest {

    private static ComparisonTable table(double... means) {
        List<Column> cols = List.of(Column.text("Method"), Column.number("Acc", "%", 0.01, 1, Better.HIGHER));
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < means.length; i++) {
            rows.add(new Row(List.of(Cell.text("m" + i), Cell.of(Stats.of(means[i]))), i == means.length - 1));
        }
        return new ComparisonTable("t", "Caption.", List.of("Fact."), cols, rows, List.of("Note."));
    }

    @Test
    void bestIsBoldAmongCompletedRowsWithTies() {
        // the last row is partial: its higher value is never bold
        assertThat(table(0.5, 0.7, 0.70001, 0.9).best(1)).containsExactly(1, 2);
        assertThat(table(0.5, 0.5, 0.9).best(1)).isEmpty();
        assertThat(table(0.5, 0.9).best(1)).isEmpty();
        assertThat(table(0.5, Double.NaN, 0.6, 0.9).best(1)).containsExactly(2);
        assertThat(table(0.5, 0.6, 0.9).best(0)).isEmpty();
    }

    @Test
    void aLatexRowStartingWithABracketIsNotReadAsAnOptionalArgument() {
        // labels may start with [ (letters, digits and + . _ - [ ] , =); after \\ or \midrule LaTeX
        // would take "[lr=2]" for a length and stop with "Missing number"
        List<Column> cols = List.of(Column.text("Method"), Column.number("Acc", "%", 0.01, 1, Better.HIGHER));
        List<Row> rows = List.of(new Row(List.of(Cell.text("[lr=2]"), Cell.of(Stats.of(0.5))), false),
                new Row(List.of(Cell.text("[lr=3]_b"), Cell.of(Stats.of(0.6))), false));
        String tex = new LatexExporter(null).render(new ComparisonTable("t", "C.", List.of(), cols, rows, List.of()));
        assertThat(tex).contains("    \\midrule\n    {}[lr=2] & 50.0 \\\\\n    {}[lr=3]\\_b & \\textbf{60.0}");
        assertThat(tex.lines().filter(l -> l.trim().startsWith("["))).isEmpty();
    }

    @Test
    void latexEscapesWhatTheDefaultFontEncodingWouldDrawAsOtherCharacters() {
        // with OT1, pdflatex's default, | < > in text come out as an em dash, ¡ and ¿
        assertThat(LatexExporter.escape("a|b<c>d")).isEqualTo("a\\textbar{}b\\textless{}c\\textgreater{}d");
        assertThat(LatexExporter.escape("x_1 & 50% #2 $")).isEqualTo("x\\_1 \\& 50\\% \\#2 \\$");
    }

    @Test
    void formatsScaledAndRounded() {
        Column pct = Column.number("Acc", "%", 0.01, 1, Better.HIGHER);
        assertThat(pct.format(0.12345)).isEqualTo("12.3");
        assertThat(pct.format(Double.NaN)).isEqualTo("-");
        assertThat(pct.format(-0.0001)).isEqualTo("0.0");
        assertThat(pct.headerWithUnit()).isEqualTo("Acc (%)");
        assertThat(Column.number("MB", 1e6, 1, Better.LOWER).inGroup("Measured").flatHeader()).isEqualTo("Measured MB");
    }

    @Test
    void aUserCaptionKeepsTheFactsAsNotes() {
        ComparisonTable t = table(0.5, 0.6);
        assertThat(t.fullCaption()).isEqualTo("Caption. Fact.");
        ComparisonTable c = t.withCaption("Mine.");
        assertThat(c.fullCaption()).isEqualTo("Mine.");
        assertThat(c.notes()).containsExactly("Fact.", "Note.");
        assertThat(t.withCaption(null)).isSameAs(t);
    }

    @Test
    void decathlonScoreUsesTheFineTuneErrorsByDefault() {
        ResultsStore s = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("ft", "finetune", 1, Map.of("dtd", 0.6), 1_000_000, false),
                ReportFixtures.syntheticRun("da", "da3", 1, Map.of("dtd", 0.8), 1_000_000, true)));
        ComparisonTable t = ComparisonTables.accuracy(s, TableOptions.DEFAULTS);
        int score = t.columns().indexOf(t.columns().stream().filter(c -> c.header().equals("Score")).findFirst()
                .orElseThrow());
        assertThat(t.rows().get(0).cells().get(score).stats().mean()).isCloseTo(250, within(1e-9));
        // error 0.2 against E_max 0.8: 1000 * (0.6 / 0.8)^2
        assertThat(t.rows().get(1).cells().get(score).stats().mean()).isCloseTo(562.5, within(1e-9));
        assertThat(t.fullCaption()).contains("reference errors: the mean errors of finetune in this run set");

        ComparisonTable given = ComparisonTables.accuracy(s,
                TableOptions.DEFAULTS.withReferenceErrors(Map.of("dtd", 0.2)));
        assertThat(given.rows().get(1).cells().get(score).stats().mean()).isCloseTo(250, within(1e-9));
        assertThat(given.fullCaption()).contains("given (dtd 20.0%)");

        ComparisonTable off = ComparisonTables.accuracy(s, TableOptions.DEFAULTS.withScore(TableOptions.ScoreMode.OFF));
        assertThat(off.columns()).noneMatch(c -> c.header().equals("Score"));

        ComparisonTable noRef = ComparisonTables.accuracy(s, TableOptions.DEFAULTS.withReferenceMethod("piggyback"));
        assertThat(noRef.rows().get(0).cells().get(score).stats().present()).isFalse();
        assertThat(noRef.fullCaption()).contains("not computed");
    }

    @Test
    void noScoreForOtherDomainsUnlessAsked() throws IOException {
        ResultsStore s = ReportFixtures.paperStore();
        assertThat(ComparisonTables.accuracy(s, TableOptions.DEFAULTS).columns())
                .noneMatch(c -> c.header().equals("Score"));
        assertThat(ComparisonTables.accuracy(s, TableOptions.DEFAULTS.withScore(TableOptions.ScoreMode.ON))
                .columns()).anyMatch(c -> c.header().equals("Score"));
    }

    @Test
    void costRatiosAreToFineTune() throws IOException {
        ResultsStore s = ReportFixtures.paperStore();
        ComparisonTable t = ComparisonTables.cost(s, TableOptions.DEFAULTS);
        assertThat(t.columns().get(4).flatHeader()).isEqualTo("Measured peak × FT");
        double linear = s.stats("linear", "measured_step_bytes").mean();
        double ft = s.stats("finetune", "measured_step_bytes").mean();
        assertThat(t.rows().get(0).cells().get(4).stats().mean()).isCloseTo(linear / ft, within(1e-12));
        assertThat(t.rows().get(1).cells().get(4).stats().mean()).isCloseTo(1, within(1e-12));
        assertThat(t.rows()).hasSize(4);
        assertThat(t.rows().get(2).partial()).isTrue();
        assertThat(t.rows().get(2).cells().get(t.columns().size() - 1).text()).isEqualTo("failed in tiny-shapes");
    }

    @Test
    void eachExperimentIsComparedWithItsOwnFineTune() {
        // two set-ups (say two backbones): their fine-tunes differ tenfold, and a row of one must
        // not be divided by the other's; an experiment without a fine-tune falls back to the first
        ResultsStore s = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("small", "s1", "finetune", 1, Map.of("dtd", 0.6), 100_000_000, false, null),
                ReportFixtures.syntheticRun("small", "s2", "da3", 1, Map.of("dtd", 0.7), 5_000_000, true, null),
                ReportFixtures.syntheticRun("big", "b1", "finetune", 1, Map.of("dtd", 0.8), 1_000_000_000, false, null),
                ReportFixtures.syntheticRun("big", "b2", "da3", 1, Map.of("dtd", 0.9), 20_000_000, true, null),
                ReportFixtures.syntheticRun("solo", "o1", "da3", 1, Map.of("dtd", 0.5), 10_000_000, true, null)));
        ComparisonTable t = ComparisonTables.cost(s, TableOptions.DEFAULTS);
        assertThat(t.rows()).extracting(r -> r.cells().get(0).text()).containsExactly("finetune (small)",
                "da3 (small)", "finetune (big)", "da3 (big)", "da3 (solo)");
        assertThat(t.rows()).extracting(r -> r.cells().get(4).stats().mean())
                .containsExactly(1.0, 0.05, 1.0, 0.02, 0.1);
        assertThat(t.captionFacts()).contains("× FT: ratio of the mean to that of the finetune row of the row's own"
                + " experiment (finetune (small), finetune (big)); for experiment solo, which has no completed"
                + " finetune run, finetune (small).");

        // the score's reference errors too: 0.4 and 0.2, so each da3 row halves its own
        ComparisonTable acc = ComparisonTables.accuracy(s, TableOptions.DEFAULTS.withScore(TableOptions.ScoreMode.ON));
        int score = acc.columns().size() - 2;
        assertThat(acc.columns().get(score).header()).isEqualTo("Score");
        // error 0.3 against 0.4 (E_max 0.8) and 0.1 against 0.2 (E_max 0.4): 1000 * (0.5 / 0.8)^2 and (0.3 / 0.4)^2
        assertThat(acc.rows().get(1).cells().get(score).stats().mean()).isCloseTo(390.625, within(1e-9));
        assertThat(acc.rows().get(3).cells().get(score).stats().mean()).isCloseTo(562.5, within(1e-9));
        assertThat(acc.fullCaption()).contains("reference errors: the mean errors of the finetune row of the row's own"
                + " experiment (finetune (small), finetune (big)); for experiment solo");

        // one experiment with a fine-tune: one reference, and the caption says whose
        ResultsStore one = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("small", "s1", "finetune", 1, Map.of("dtd", 0.6), 100_000_000, false, null),
                ReportFixtures.syntheticRun("solo", "o1", "da3", 1, Map.of("dtd", 0.5), 10_000_000, true, null)));
        assertThat(ComparisonTables.cost(one, TableOptions.DEFAULTS).captionFacts())
                .contains("× FT: ratio of the mean to that of finetune (experiment small, the set's only one).");
    }

    @Test
    void aRowThatLacksADomainOfItsExperimentHasNoMean() {
        // da3 learned dtd only: its 90% is not a mean over the domains finetune's 60% is over, and
        // must neither be bold nor lead the figure; another experiment's own domains are its own
        ResultsStore s = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("x", "f1", "finetune", 1, Map.of("dtd", 0.5, "gtsrb", 0.7), 1_000_000,
                        false, null),
                ReportFixtures.syntheticRun("x", "d1", "da3", 1, Map.of("dtd", 0.9), 1_000_000, true, null),
                ReportFixtures.syntheticRun("y", "o1", "linear", 1, Map.of("svhn", 0.4), 1_000_000, false, null)));
        ComparisonTable t = ComparisonTables.accuracy(s, TableOptions.DEFAULTS.withScore(TableOptions.ScoreMode.OFF));
        int mean = t.columns().stream().map(Column::header).toList().indexOf("Mean");
        assertThat(t.rows()).extracting(r -> r.cells().get(0).text()).containsExactly("finetune", "da3", "linear");
        assertThat(t.rows().get(0).cells().get(mean).stats().mean()).isCloseTo(0.6, within(1e-12));
        assertThat(t.rows().get(1).cells().get(mean).stats().present()).isFalse();
        assertThat(t.rows().get(2).cells().get(mean).stats().mean()).isEqualTo(0.4);
        assertThat(t.best(mean)).containsExactly(0);
        int dtd = t.columns().stream().map(Column::header).toList().indexOf("dtd");
        assertThat(t.rows().get(1).cells().get(dtd).stats().mean()).isEqualTo(0.9);
    }

    @Test
    void aCompletedRunWithoutTheFinalEvaluationOfADomainIsMarkedAsPerEpoch() {
        Map<String, Double> acc = new java.util.LinkedHashMap<>(Map.of("dtd", 0.5));
        acc.put("gtsrb", 0.7);
        List<org.da3.workbench.run.event.Envelope> events = new java.util.ArrayList<>(ReportFixtures.syntheticEvents(
                "x", "f2", "finetune", 2, acc, 1_000_000, false, null));
        // the final evaluation of gtsrb is lost (a hand-edited or damaged log); its epoch value stands in
        events.removeIf(e -> e.event() instanceof org.da3.workbench.run.event.Evaluation v && v.fromCheckpoint()
                && v.domain().equals("gtsrb"));
        ResultsStore s = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("x", "f1", "finetune", 1, acc, 1_000_000, false, null),
                RunResult.fromEvents(null, "f2", events)));
        ComparisonTable t = ComparisonTables.accuracy(s, TableOptions.DEFAULTS.withScore(TableOptions.ScoreMode.OFF));
        List<String> headers = t.columns().stream().map(Column::header).toList();
        assertThat(t.rows()).singleElement().satisfies(r -> {
            assertThat(r.cells().get(headers.indexOf("dtd")).provisional()).isFalse();
            assertThat(r.cells().get(headers.indexOf("gtsrb")).provisional()).isTrue();
            assertThat(r.cells().get(headers.indexOf("Mean")).provisional()).isTrue();
        });
        assertThat(t.notes()).anyMatch(n -> n.startsWith("* last per-epoch test accuracy reached"));
    }

    @Test
    void documentsShowTheStatusColumnOnlyWhenARowStoppedPartWay() throws IOException {
        Map<String, Double> acc = Map.of("dtd", 0.6);
        TableOptions doc = TableOptions.DEFAULTS.forFormat(ExportFormat.LATEX);
        // different seed counts: a Seeds column says how many
        ResultsStore uneven = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("f1", "finetune", 1, acc, 100_000_000, false),
                ReportFixtures.syntheticRun("f2", "finetune", 2, acc, 300_000_000, false),
                ReportFixtures.syntheticRun("d1", "da3", 1, acc, 20_000_000, true)));
        for (ComparisonTable t : List.of(ComparisonTables.accuracy(uneven, doc), ComparisonTables.cost(uneven, doc))) {
            Column last = t.columns().get(t.columns().size() - 1);
            assertThat(last.header()).isEqualTo("Seeds");
            assertThat(t.rows()).extracting(r -> r.cells().get(t.columns().size() - 1).stats().mean())
                    .containsExactly(2.0, 1.0);
            assertThat(t.fullCaption()).contains("over seeds").doesNotContain("Mean ± standard deviation over");
        }
        // CSV, the GUI and the console keep the Status column
        ComparisonTable data = ComparisonTables.cost(uneven, TableOptions.DEFAULTS.forFormat(ExportFormat.CSV));
        assertThat(data.columns().get(data.columns().size() - 1).header()).isEqualTo("Status");
        // a run that stopped part-way needs its status, in a document too
        ComparisonTable paper = ComparisonTables.accuracy(ReportFixtures.paperStore(), doc);
        assertThat(paper.columns().get(paper.columns().size() - 1).header()).isEqualTo("Status");
        assertThat(paper.rows().get(2).cells().get(paper.columns().size() - 1).text())
                .isEqualTo("failed in tiny-shapes");
    }

    @Test
    void perRunRowsAreComparedWithTheFineTuneMeanOverSeeds() {
        ResultsStore s = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("f1", "finetune", 1, Map.of("dtd", 0.6), 100_000_000, false),
                ReportFixtures.syntheticRun("f2", "finetune", 2, Map.of("dtd", 0.6), 300_000_000, false),
                ReportFixtures.syntheticRun("d1", "da3", 1, Map.of("dtd", 0.7), 20_000_000, true)));
        ComparisonTable t = ComparisonTables.cost(s, TableOptions.DEFAULTS.withPerRun(true));
        assertThat(t.rows()).extracting(r -> r.cells().get(4).stats().mean()).containsExactly(0.5, 1.5, 0.1);
        assertThat(t.captionFacts()).contains("× FT: ratio of the run's value to the mean of finetune.");
    }

    @Test
    void theCostTableSaysWhichMeasuredPeaksIncludeTheAllocatorsPool() {
        Map<String, Double> acc = Map.of("a", 0.8);
        ResultsStore exact = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("r1", "finetune", 1, acc, 300_000_000, false, "exact"),
                ReportFixtures.syntheticRun("r2", "da3", 1, acc, 20_000_000, true, null)));
        assertThat(ComparisonTables.cost(exact, TableOptions.DEFAULTS).captionFacts())
                .noneMatch(f -> f.contains("allocator"));
        ResultsStore mixed = ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("r1", "finetune", 1, acc, 300_000_000, false, "exact"),
                ReportFixtures.syntheticRun("r2", "da3", 1, acc, 90_000_000, true, "reuse")));
        assertThat(ComparisonTables.cost(mixed, TableOptions.DEFAULTS).captionFacts()).contains(
                "Measured peak of da3: runs with allocator reuse, whose peak includes the freed memory the C allocator"
                        + " keeps for reuse; the others count live tensors only (allocator exact).");
    }
}
