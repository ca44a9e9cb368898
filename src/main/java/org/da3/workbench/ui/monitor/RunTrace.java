package org.da3.workbench.ui.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.GateStats;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.RunStarted;
import org.da3.workbench.run.event.TrainMetrics;

/**
 * The chart data of one run, built from its events: plain, append-only point lists, one per
 * series, so the view can add only the points it has not drawn yet. No JavaFX, no chart library.
 *
 * <ul>
 *   <li>accuracy: per domain, test accuracy after each epoch and after each domain (solid), and
 *       training accuracy (dashed), against the epoch counted over the whole run;
 *   <li>loss against the run's step;
 *   <li>memory (MB) against seconds since the run started: the measured source (RSS, CUDA or
 *       tegrastats) and, when the worker reports one, the analytic prediction of the training
 *       peak (idle baseline plus the predicted bytes);
 *   <li>gate sparsity (1 - open ratio) against the run's step, overall and per block.
 * </ul>
 *
 * <p>Not thread-safe: the view model applies events and the view reads points on the UI thread.
 */
public final class RunTrace {

    /** The four live charts. */
    public enum Chart {
        /** Accuracy per domain against epoch. */
        ACCURACY,
        /** Training loss against step. */
        LOSS,
        /** Memory against time. */
        MEMORY,
        /** Gate sparsity against step. */
        GATES
    }

    /** How a series is drawn. */
    public enum Style {
        /** A solid line with points. */
        SOLID,
        /** A dashed line (training accuracy, predictions). */
        DASHED,
        /** A thin line (per-block detail). */
        THIN
    }

    /**
     * One series: a name, a chart, a style and its points in arrival order, kept as two arrays of
     * numbers (16 bytes a point: the Monitor holds the points of every run in its queue, hundreds
     * of runs of tens of thousands of points each).
     */
    public static final class Series {
        private final String key;
        private final Chart chart;
        private final String name;
        private final String group;
        private final Style style;
        private double[] xs = new double[8];
        private double[] ys = new double[8];
        private int size;

        Series(String key, Chart chart, String name, String group, Style style) {
            this.key = key;
            this.chart = chart;
            this.name = name;
            this.group = group;
            this.style = style;
        }

        /** @return a key unique in the run */
        public String key() {
            return key;
        }

        /** @return the chart it belongs to */
        public Chart chart() {
            return chart;
        }

        /** @return the legend name within the run, for example {@code shapes test} */
        public String name() {
            return name;
        }

        /** @return series of one group share a colour (a domain's test and train accuracy) */
        public String group() {
            return group;
        }

        /** @return how it is drawn */
        public Style style() {
            return style;
        }

        /** @return the number of points */
        public int size() {
            return size;
        }

        /**
         * A point.
         *
         * @param i its index
         * @return {x, y}, a new array
         */
        public double[] point(int i) {
            return new double[] {x(i), y(i)};
        }

        /**
         * A point's x.
         *
         * @param i its index
         * @return x
         */
        public double x(int i) {
            return xs[Objects.checkIndex(i, size)];
        }

        /**
         * A point's y.
         *
         * @param i its index
         * @return y
         */
        public double y(int i) {
            return ys[Objects.checkIndex(i, size)];
        }

        void add(double x, double y) {
            if (Double.isFinite(x) && Double.isFinite(y)) {
                if (size == xs.length) {
                    xs = Arrays.copyOf(xs, size + (size >> 1));
                    ys = Arrays.copyOf(ys, xs.length);
                }
                xs[size] = x;
                ys[size] = y;
                size++;
            }
        }
    }

    /** The types of the events {@link #apply} draws from; it passes over others. */
    public static final java.util.Set<String> EVENT_TYPES = java.util.stream.Stream.of(RunStarted.class,
            DomainStarted.class, TrainMetrics.class, Evaluation.class, MemorySample.class, GateStats.class)
            .map(org.da3.workbench.run.event.EventTypes::nameOf).collect(java.util.stream.Collectors.toUnmodifiableSet());

    private final Map<String, Series> series = new LinkedHashMap<>();
    private final Map<String, Integer> domainIndex = new HashMap<>();
    private final Map<String, Long> domainSteps = new HashMap<>();
    private int epochs = 1;
    private Instant start;

    /**
     * Adds an event's data.
     *
     * @param e the event
     * @return whether any series got a point
     */
    public boolean apply(Envelope e) {
        Object ev = e.event();
        if (start == null) {
            start = e.time();
        }
        if (ev instanceof RunStarted) {
            start = e.time();
            epochs = epochsOf((RunStarted) ev);
            List<String> ds = ((RunStarted) ev).domains();
            for (int i = 0; i < ds.size(); i++) {
                domainIndex.put(ds.get(i), i);
            }
            return false;
        }
        if (ev instanceof DomainStarted) {
            DomainStarted d = (DomainStarted) ev;
            domainIndex.put(d.domain(), d.domainIndex());
            domainSteps.put(d.domain(), d.steps());
            return false;
        }
        if (ev instanceof TrainMetrics) {
            TrainMetrics m = (TrainMetrics) ev;
            get("loss", Chart.LOSS, "loss", "loss", Style.SOLID).add(m.runStep(), m.loss());
            int di = domainIndex.getOrDefault(m.domain(), 0);
            long steps = domainSteps.getOrDefault(m.domain(), 0L);
            double perEpoch = steps > 0 ? (double) steps / epochs : Double.NaN;
            double within = Double.isNaN(perEpoch) ? 1 : Math.min(1, (m.step() - (m.epoch() - 1) * perEpoch) / perEpoch);
            double x = di * epochs + (m.epoch() - 1) + within;
            get("acc-train-" + m.domain(), Chart.ACCURACY, m.domain() + " train", m.domain(), Style.DASHED)
                    .add(x, m.accuracy());
            return true;
        }
        if (ev instanceof Evaluation) {
            Evaluation v = (Evaluation) ev;
            if (!"test".equals(v.split())) {
                return false;
            }
            double x = v.fromCheckpoint() ? (v.afterDomain() + 1) * (double) epochs : v.afterDomain() * epochs + v.epoch();
            get("acc-test-" + v.domain(), Chart.ACCURACY, v.domain() + " test", v.domain(), Style.SOLID)
                    .add(x, v.accuracy());
            return true;
        }
        if (ev instanceof MemorySample) {
            MemorySample m = (MemorySample) ev;
            double t = seconds(e.time());
            if (m.currentBytes() >= 0) {
                get("mem-" + m.source(), Chart.MEMORY, m.source().toUpperCase(java.util.Locale.ROOT), "mem-" + m.source(),
                        Style.SOLID).add(t, m.currentBytes() / 1e6);
            }
            if (m.analyticBytes() > 0) {
                double predicted = m.analyticBytes() + Math.max(0, m.baselineBytes());
                get("mem-analytic", Chart.MEMORY, "analytic prediction", "mem-analytic", Style.DASHED)
                        .add(t, predicted / 1e6);
            }
            return true;
        }
        if (ev instanceof GateStats) {
            GateStats g = (GateStats) ev;
            if (!"train".equals(g.phase()) || g.runStep() < 0) {
                return false;
            }
            get("gates", Chart.GATES, "sparsity", "gates", Style.SOLID).add(g.runStep(), g.sparsity());
            for (int i = 0; i < g.perBlock().size(); i++) {
                get("gates-" + i, Chart.GATES, "block " + (i + 1), "gates-" + i, Style.THIN)
                        .add(g.runStep(), 1 - g.perBlock().get(i));
            }
            return true;
        }
        return false;
    }

    private Series get(String key, Chart chart, String name, String group, Style style) {
        return series.computeIfAbsent(key, k -> new Series(k, chart, name, group, style));
    }

    private double seconds(Instant t) {
        return start == null ? 0 : Duration.between(start, t).toMillis() / 1000.0;
    }

    private static int epochsOf(RunStarted s) {
        Object training = s.spec() == null ? null : s.spec().get("training");
        if (training instanceof Map) {
            Object ep = ((Map<?, ?>) training).get("epochs");
            if (ep instanceof Number && ((Number) ep).intValue() > 0) {
                return ((Number) ep).intValue();
            }
        }
        return 1;
    }

    /**
     * The series of one chart, in the order they appeared.
     *
     * @param chart the chart
     * @return the series
     */
    public List<Series> series(Chart chart) {
        List<Series> out = new ArrayList<>();
        for (Series s : series.values()) {
            if (s.chart() == chart) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * The number of points in one chart.
     *
     * @param chart the chart
     * @return the count over its series
     */
    public int pointCount(Chart chart) {
        int n = 0;
        for (Series s : series(chart)) {
            n += s.size();
        }
        return n;
    }
}
