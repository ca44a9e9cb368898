package org.da3.workbench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How comparison tables are built.
 *
 * @param perRun one row per run instead of completed runs aggregated over seeds
 * @param score whether the accuracy table has a Visual Decathlon score column
 * @param referenceMethod the method that memory ratios (× FT) and, unless {@code
 *     referenceErrors} are given, the score's reference errors come from: a method's registry
 *     name or label
 * @param referenceErrors the score's reference error per domain (fractions); empty to take the
 *     errors of {@code referenceMethod} in the run set
 * @param statusAlways whether every table has a Status column; false for documents (LaTeX,
 *     Markdown), where a column of "completed" is noise: it is then there only when some row stopped
 *     part-way, and the seeds move to the caption (or a Seeds column where methods differ)
 */
public record TableOptions(boolean perRun, ScoreMode score, String referenceMethod,
        Map<String, Double> referenceErrors, boolean statusAlways) {

    /** The default reference method. */
    public static final String FINETUNE = "finetune";

    /** Defaults: aggregated over seeds, score when the domains are the Decathlon's, finetune. */
    public static final TableOptions DEFAULTS = new TableOptions(false, ScoreMode.AUTO, FINETUNE, Map.of(), true);

    /** Checks and copies. */
    public TableOptions {
        Objects.requireNonNull(score, "score");
        Objects.requireNonNull(referenceMethod, "referenceMethod");
        referenceErrors = Collections.unmodifiableMap(new LinkedHashMap<>(referenceErrors));
    }

    /** When the accuracy table shows the Visual Decathlon score. */
    public enum ScoreMode {
        /** When every domain is a Visual Decathlon domain. */
        AUTO,
        /** Always (any domains; useful with given reference errors). */
        ON,
        /** Never. */
        OFF
    }

    /**
     * @param v one row per run
     * @return a copy
     */
    public TableOptions withPerRun(boolean v) {
        return new TableOptions(v, score, referenceMethod, referenceErrors, statusAlways);
    }

    /**
     * @param v the score mode
     * @return a copy
     */
    public TableOptions withScore(ScoreMode v) {
        return new TableOptions(perRun, v, referenceMethod, referenceErrors, statusAlways);
    }

    /**
     * @param v the reference method
     * @return a copy
     */
    public TableOptions withReferenceMethod(String v) {
        return new TableOptions(perRun, score, v, referenceErrors, statusAlways);
    }

    /**
     * @param v reference errors per domain
     * @return a copy
     */
    public TableOptions withReferenceErrors(Map<String, Double> v) {
        return new TableOptions(perRun, score, referenceMethod, v, statusAlways);
    }

    /**
     * @param v whether every table has a Status column
     * @return a copy
     */
    public TableOptions withStatusAlways(boolean v) {
        return new TableOptions(perRun, score, referenceMethod, referenceErrors, v);
    }

    /**
     * @param f the format the table is written in
     * @return a copy whose Status column suits it: always in CSV (data), only where needed in
     *     LaTeX and Markdown (documents)
     */
    public TableOptions forFormat(ExportFormat f) {
        return withStatusAlways(f == ExportFormat.CSV);
    }
}
