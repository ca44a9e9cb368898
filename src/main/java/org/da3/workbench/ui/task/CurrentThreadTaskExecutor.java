package org.da3.workbench.ui.task;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link TaskExecutor} that does everything on the calling thread: work runs at once, its
 * callbacks right after, UI actions immediately, and periodic actions only when {@link #tick()}
 * is called. For view-model tests (no FX toolkit, no sleeping) and for headless tools.
 */
public final class CurrentThreadTaskExecutor implements TaskExecutor {
    private final List<Runnable> tickers = new CopyOnWriteArrayList<>();

    @Override
    public <T> void execute(BackgroundTask<T> task) {
        T result;
        try {
            result = task.call();
        } catch (Exception e) {
            task.failureCallback().accept(e);
            return;
        }
        task.successCallback().accept(result);
    }

    @Override
    public void runOnUi(Runnable action) {
        action.run();
    }

    @Override
    public AutoCloseable every(Duration period, Runnable action) {
        tickers.add(action);
        return () -> tickers.remove(action);
    }

    /** Runs every periodic action once, as if their period had passed. */
    public void tick() {
        for (Runnable r : tickers) {
            r.run();
        }
    }

    /** @return how many periodic actions are registered */
    public int tickerCount() {
        return tickers.size();
    }

    @Override
    public void shutdown() {
        tickers.clear();
    }
}
