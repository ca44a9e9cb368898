package org.da3.workbench.ui.task;

import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * A piece of work that runs off the UI thread, with callbacks that run on it. UI state changes
 * belong in the callbacks, never in the work itself.
 *
 * <pre>
 * executor.execute(BackgroundTask.of(() -&gt; catalog.describeAll())
 *         .onSuccess(list -&gt; domains.setAll(list))
 *         .onFailure(e -&gt; status.set(e.getMessage())));
 * </pre>
 *
 * @param <T> the result type
 */
public final class BackgroundTask<T> {
    private final Callable<T> work;
    private Consumer<? super T> onSuccess = v -> {};
    private Consumer<? super Exception> onFailure = e -> {};

    private BackgroundTask(Callable<T> work) {
        this.work = Objects.requireNonNull(work, "work");
    }

    /**
     * Wraps work that returns a value.
     *
     * @param work the work, run on a background thread
     * @param <T> the result type
     * @return the task
     */
    public static <T> BackgroundTask<T> of(Callable<T> work) {
        return new BackgroundTask<>(work);
    }

    /**
     * Wraps work that returns nothing.
     *
     * @param work the work
     * @return the task
     */
    public static BackgroundTask<Void> ofRunnable(ThrowingRunnable work) {
        return new BackgroundTask<>(() -> {
            work.run();
            return null;
        });
    }

    /**
     * Sets what happens on the UI thread when the work succeeds.
     *
     * @param callback receives the result
     * @return this task
     */
    public BackgroundTask<T> onSuccess(Consumer<? super T> callback) {
        this.onSuccess = Objects.requireNonNull(callback);
        return this;
    }

    /**
     * Sets what happens on the UI thread when the work throws.
     *
     * @param callback receives the exception
     * @return this task
     */
    public BackgroundTask<T> onFailure(Consumer<? super Exception> callback) {
        this.onFailure = Objects.requireNonNull(callback);
        return this;
    }

    /**
     * Runs the work on the calling thread.
     *
     * @return the result
     * @throws Exception whatever the work throws
     */
    public T call() throws Exception {
        return work.call();
    }

    /** @return the success callback */
    public Consumer<? super T> successCallback() {
        return onSuccess;
    }

    /** @return the failure callback */
    public Consumer<? super Exception> failureCallback() {
        return onFailure;
    }

    /** Work that returns nothing and may throw. */
    @FunctionalInterface
    public interface ThrowingRunnable {
        /**
         * Does the work.
         *
         * @throws Exception on failure
         */
        void run() throws Exception;
    }
}
