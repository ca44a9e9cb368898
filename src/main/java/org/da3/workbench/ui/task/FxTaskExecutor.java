package org.da3.workbench.ui.task;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.application.Platform;

/**
 * The GUI's {@link TaskExecutor}: work on a pool of daemon threads, callbacks and UI actions
 * through {@link Platform#runLater}, periodic actions from a scheduler thread that posts at most
 * one pending tick per action to the FX thread.
 */
public final class FxTaskExecutor implements TaskExecutor {
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("da3-gui-task"));
    private final ScheduledExecutorService scheduler =
            Executors.newSingleThreadScheduledExecutor(daemon("da3-gui-ticker"));

    @Override
    public <T> void execute(BackgroundTask<T> task) {
        workers.execute(() -> {
            T result;
            try {
                result = task.call();
            } catch (Exception e) {
                Platform.runLater(() -> task.failureCallback().accept(e));
                return;
            } catch (Error e) {
                // out of memory in a profile or an export: the view's status says so instead of
                // showing "profiling ..." for ever
                Exception wrapped = new java.util.concurrent.ExecutionException(e.toString(), e);
                Platform.runLater(() -> task.failureCallback().accept(wrapped));
                throw e;
            }
            Platform.runLater(() -> task.successCallback().accept(result));
        });
    }

    @Override
    public void runOnUi(Runnable action) {
        if (Platform.isFxApplicationThread()) {
            action.run();
        } else {
            Platform.runLater(action);
        }
    }

    @Override
    public AutoCloseable every(Duration period, Runnable action) {
        AtomicBoolean pending = new AtomicBoolean();
        long ms = Math.max(1, period.toMillis());
        ScheduledFuture<?> f = scheduler.scheduleAtFixedRate(() -> {
            if (pending.compareAndSet(false, true)) {
                Platform.runLater(() -> {
                    pending.set(false);
                    action.run();
                });
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void shutdown() {
        scheduler.shutdownNow();
        workers.shutdownNow();
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
