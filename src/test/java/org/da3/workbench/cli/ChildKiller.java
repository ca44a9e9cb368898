package org.da3.workbench.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Kills one of this JVM's child processes, as a crash or the OOM killer would: the
 * {@code victim}-th child started after this watcher, as soon as the {@code trigger}-th one
 * appears (children that existed before are ignored). Polls every 5 ms, for at most
 * {@code maxSeconds}.
 */
final class ChildKiller implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stop;
    private volatile boolean killed;

    ChildKiller(int victim, int trigger, int maxSeconds) {
        Set<Long> before = new HashSet<>();
        ProcessHandle.current().children().forEach(p -> before.add(p.pid()));
        thread = new Thread(() -> {
            List<ProcessHandle> seen = new ArrayList<>();
            long end = System.nanoTime() + maxSeconds * 1_000_000_000L;
            while (!stop && System.nanoTime() < end) {
                ProcessHandle.current().children().filter(p -> !before.contains(p.pid()))
                        .filter(p -> seen.stream().noneMatch(s -> s.pid() == p.pid())).sorted(
                                (a, b) -> Long.compare(a.info().startInstant().map(java.time.Instant::toEpochMilli)
                                        .orElse(0L), b.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L)))
                        .forEach(seen::add);
                // once the victim runs java itself: killed earlier, it would be the JDK's spawn
                // helper, and the process would fail to start rather than die
                if (seen.size() >= trigger && seen.get(victim - 1).info().command().map(c -> c.endsWith("/java"))
                        .orElse(false)) {
                    killed = seen.get(victim - 1).destroyForcibly();
                    return;
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "child-killer");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return whether the victim was killed */
    boolean killed() {
        return killed;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(2000);
    }
}
