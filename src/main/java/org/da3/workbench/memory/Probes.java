package org.da3.workbench.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.da3.workbench.run.event.EventSink;
import org.da3.workbench.run.event.Warning;

/**
 * The measurement probes a worker request can ask for by name ({@code probes} in the request):
 * the one place that maps names to samplers. Unknown names give a warning event, not an error, so
 * an older worker still runs a newer request.
 */
public final class Probes {
    /** NVIDIA Jetson tegrastats: device RAM (CPU and GPU), swap, GPU and EMC load, temperatures, power. */
    public static final String TEGRASTATS = "tegrastats";

    private static final Map<String, Function<EventSink, AutoCloseable>> REGISTRY = Map.of(
            TEGRASTATS, sink -> new Tegrastats.Sampler(Tegrastats.Sampler.command(Tegrastats.DEFAULT_INTERVAL_MS), sink)
                    .start());

    private Probes() {}

    /** @return the known probe names */
    public static List<String> names() {
        return REGISTRY.keySet().stream().sorted().toList();
    }

    /**
     * Starts probes.
     *
     * @param names the probe names from the request
     * @param sink where their events go
     * @return closes every started probe (no events after it returns)
     */
    public static AutoCloseable start(List<String> names, EventSink sink) {
        List<AutoCloseable> started = new ArrayList<>();
        for (String n : names) {
            Function<EventSink, AutoCloseable> f = REGISTRY.get(n);
            if (f == null) {
                sink.emit(new Warning("unknown probe '" + n + "' ignored; known probes: " + String.join(", ", names())));
                continue;
            }
            started.add(f.apply(sink));
        }
        return () -> {
            for (AutoCloseable c : started) {
                c.close();
            }
        };
    }
}
