package org.da3.workbench.ui.task;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects items offered from any thread and hands them over in one batch when drained, on the
 * UI thread. With a periodic drain this turns a fast stream of worker events into a few UI
 * updates per second, whatever the event rate.
 *
 * @param <T> the item type
 */
public final class EventBuffer<T> {
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();

    /**
     * Adds an item; safe from any thread, never blocks.
     *
     * @param item the item
     */
    public void offer(T item) {
        queue.add(item);
    }

    /**
     * Takes every item offered so far, in order.
     *
     * @return the items (empty if none)
     */
    public List<T> drain() {
        List<T> out = new ArrayList<>();
        T t;
        while ((t = queue.poll()) != null) {
            out.add(t);
        }
        return out;
    }

    /** @return whether nothing is waiting */
    public boolean isEmpty() {
        return queue.isEmpty();
    }
}
