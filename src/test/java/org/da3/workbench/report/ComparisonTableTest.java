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
