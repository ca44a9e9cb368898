package org.da3.workbench.report;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden files for every table format: from the recorded runs (produced by the worker), and from
 * runs built in memory with the values gated methods report (Decathlon domains, so the score
 * column appears). Regenerate with {@code -Dda3.updateGolden=true} and review the diff.
 */
class TableGoldenTest {

    @ParameterizedTest(name = "{0} table as {1}")
    @CsvSource({"accuracy, latex", "accuracy, csv", "accuracy, md", "cost, latex", "cost, csv", "cost, md"})
    void recordedRuns(String table, String format) throws IOException {
        ExportFormat f = ExportFormat.of(format);
        ComparisonTable t = TableKind.of(table).build(ReportFixtures.paperStore(), TableOptions.DEFAULTS.forFormat(f));
        ReportFixtures.assertGolden(table + "." + f.extension(), TableExporter.of(f, null).render(t));
    }

    @ParameterizedTest(name = "{0} table per run as {1}")
    @CsvSource({"accuracy, md", "cost, csv"})
    void recordedRunsPerRun(String table, String format) throws IOException {
        ExportFormat f = ExportFormat.of(format);
        ComparisonTable t = TableKind.of(table).build(ReportFixtures.paperStore(),
                TableOptions.DEFAULTS.withPerRun(true).forFormat(f));
        ReportFixtures.assertGolden(table + "-per-run." + f.extension(), TableExporter.of(f, null).render(t));
    }

    @ParameterizedTest(name = "{0} table of gated Decathlon runs as {1}")
    @CsvSource({"accuracy, latex", "accuracy, md", "cost, latex", "cost, md"})
    void gatedDecathlonRuns(String table, String format) throws IOException {
        ExportFormat f = ExportFormat.of(format);
        ComparisonTable t = TableKind.of(table).build(decathlonStore(), TableOptions.DEFAULTS.forFormat(f))
                .withCaption(table.equals("cost") ? "Costs on two Decathlon domains." : null);
        ReportFixtures.assertGolden("decathlon-" + table + "." + f.extension(),
                TableExporter.of(f, "tab:decathlon-" + table).render(t));
    }

    /** @return finetune and da3 on aircraft and dtd, two seeds each (in memory) */
    static ResultsStore decathlonStore() {
        return ResultsStore.of(List.of(
                ReportFixtures.syntheticRun("ft1", "finetune", 1, acc(0.60, 0.40), 300_000_000, false),
                ReportFixtures.syntheticRun("ft2", "finetune", 2, acc(0.62, 0.44), 310_000_000, false),
                ReportFixtures.syntheticRun("da1", "da3", 1, acc(0.58, 0.45), 12_000_000, true),
                ReportFixtures.syntheticRun("da2", "da3", 2, acc(0.57, 0.47), 12_500_000, true)));
    }

    private static Map<String, Double> acc(double aircraft, double dtd) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("aircraft", aircraft);
        m.put("dtd", dtd);
        return m;
    }
}
