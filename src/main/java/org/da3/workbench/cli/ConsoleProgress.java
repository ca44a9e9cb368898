package org.da3.workbench.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.da3.workbench.run.RunMonitor;
import org.da3.workbench.run.event.DomainStarted;
import org.da3.workbench.run.event.Envelope;
import org.da3.workbench.run.event.Evaluation;
import org.da3.workbench.run.event.Progress;
import org.da3.workbench.run.event.RunError;
import org.da3.workbench.run.event.RunFinished;
import org.da3.workbench.run.event.TrainMetrics;
import org.da3.workbench.run.event.Warning;

/**
 * The terminal view of a run: a progress bar with ETA redrawn in place on a terminal, or one line
 * per epoch when the output is a file or pipe; evaluations, warnings and errors on their own lines.
 */
public final class ConsoleProgress implements RunMonitor.Listener {
    private final PrintStream out;
    private final String label;
    private final boolean tty;
    private final boolean quiet;
    private TrainMetrics lastMetrics;
    private int lastEpochPrinted = -1;
    private String lastDomainPrinted = "";
    private long lastPrintNanos;
    private boolean barShown;

    /**
     * Creates the view.
     *
     * @param out where to print
     * @param label the run's label, for example "da3 s42"
     * @param quiet print only evaluations after each domain and errors
     */
    public ConsoleProgress(PrintStream out, String label, boolean quiet) {
        this(out, label, quiet, true);
    }

    /**
     * Creates the view, optionally without the redrawn bar (several runs printing at once would
     * overwrite each other's bars, so they get one line per epoch instead).
     *
     * @param out where to print
     * @param label the run's label
     * @param quiet print only evaluations after each domain and errors
     * @param bar redraw a progress bar in place when the output is a terminal
     */
    public ConsoleProgress(PrintStream out, String label, boolean quiet, boolean bar) {
        this.out = out;
        this.label = label;
        this.tty = bar && System.console() != null && System.getenv("DA3_NO_TTY") == null;
        this.quiet = quiet;
    }

    @Override
    public synchronized void onEvent(Envelope env) {
        Object e = env.event();
        if (e instanceof TrainMetrics) {
            lastMetrics = (TrainMetrics) e;
        } else if (e instanceof DomainStarted) {
            DomainStarted d = (DomainStarted) e;
            endBar();
            if (!quiet) {
                out.printf(Locale.ROOT, "[%s] domain %d %s: %d classes, %d train / %d test images, %s trainable%s%n",
                        label, d.domainIndex() + 1, d.domain(), d.classes(), d.trainSize(), d.testSize(),
                        human(d.trainableParams()), d.reusedFrom() != null
                                ? "; patch reused from run " + d.reusedFrom() + ", not trained again"
                                : d.continuedFrom() != null ? "; continues at epoch " + d.startEpoch()
                                        + " from the epoch checkpoint of run " + d.continuedFrom() : "");
            }
        } else if (e instanceof Progress) {
            Progress p = (Progress) e;
            if (quiet) {
                return;
            }
            if (tty) {
                out.print("\r" + bar(p));
                out.flush();
                barShown = true;
            } else if (p.epoch() != lastEpochPrinted || !p.domain().equals(lastDomainPrinted)
                    || System.nanoTime() - lastPrintNanos > 15_000_000_000L) {
                lastEpochPrinted = p.epoch();
                lastDomainPrinted = p.domain();
                lastPrintNanos = System.nanoTime();
                out.println(bar(p));
            }
        } else if (e instanceof Evaluation) {
            Evaluation v = (Evaluation) e;
            if (quiet && !v.fromCheckpoint()) {
                return;
            }
            endBar();
            out.printf(Locale.ROOT, "[%s] %s %s accuracy %.1f%% (%d/%d)%s%n", label, v.domain(),
                    v.fromCheckpoint() ? "test, after " + ordinal(v.afterDomain() + 1) + " domain, reloaded patch:"
                            : "test, epoch " + v.epoch() + ":",
                    100 * v.accuracy(), v.correct(), v.total(), "");
        } else if (e instanceof Warning) {
            endBar();
            out.println("[" + label + "] warning: " + ((Warning) e).message());
        } else if (e instanceof RunError) {
            endBar();
            out.println("[" + label + "] error: " + ((RunError) e).message());
        } else if (e instanceof RunFinished) {
            endBar();
            RunFinished f = (RunFinished) e;
            out.printf(Locale.ROOT, "[%s] %s in %.0f s%n", label, f.status(), f.seconds());
        }
    }

    @Override
    public synchronized void onWarning(String message) {
        endBar();
        out.println("[" + label + "] warning: " + message);
    }

    private void endBar() {
        if (barShown) {
            out.println();
            barShown = false;
        }
    }

    private String bar(Progress p) {
        double f = p.runSteps() == 0 ? 0 : (double) p.runStep() / p.runSteps();
        int width = 24;
        int full = (int) Math.round(f * width);
        StringBuilder sb = new StringBuilder("[").append(label).append("] [");
        sb.append("=".repeat(Math.max(0, full - 1))).append(full > 0 ? ">" : "").append(" ".repeat(width - full)).append("] ");
        sb.append(String.format(Locale.ROOT, "%3.0f%% %s ep %d", 100 * f, p.domain(), p.epoch()));
        if (lastMetrics != null && lastMetrics.domain().equals(p.domain())) {
            sb.append(String.format(Locale.ROOT, " loss %.3f acc %.1f%% %.0f img/s", lastMetrics.loss(),
                    100 * lastMetrics.accuracy(), lastMetrics.imagesPerSecond()));
        }
        sb.append(" ETA ").append(duration(p.etaSeconds()));
        return sb.toString();
    }

    static String duration(double s) {
        if (!Double.isFinite(s) || s < 0) {
            return "--";
        }
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t % 3600 / 60)
                : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }

    private static String ordinal(int n) {
        return n + (n == 1 ? "st" : n == 2 ? "nd" : n == 3 ? "rd" : "th");
    }

    private static String human(long n) {
        return n >= 1_000_000 ? String.format(Locale.ROOT, "%.2fM", n / 1e6)
                : n >= 1000 ? String.format(Locale.ROOT, "%.1fk", n / 1e3) : Long.toString(n);
    }
}
