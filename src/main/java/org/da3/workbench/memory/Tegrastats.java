package org.da3.workbench.memory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.da3.workbench.run.event.EventSink;
import org.da3.workbench.run.event.MemorySample;
import org.da3.workbench.run.event.Warning;

/**
 * NVIDIA Jetson's {@code tegrastats}: a parser for its lines and a sampler that runs it and turns
 * each line into a {@link MemorySample} (phase {@code sample}, source {@code tegrastats}). On a
 * Jetson the CPU and GPU share one RAM, so tegrastats' RAM figure is the whole device's memory in
 * use, GPU buffers included.
 *
 * <p>Formats seen (fields vary by board and JetPack; absent fields stay unknown):
 *
 * <pre>
 * Nano (JetPack 4): RAM 1596/3964MB (lfb 4x4MB) SWAP 0/1982MB (cached 0MB) IRAM 0/252kB(lfb 252kB)
 *   CPU [12%@1479,5%@1479,off,off] EMC_FREQ 3%@1600 GR3D_FREQ 0%@921 ... GPU@30.5C POM_5V_IN 2914/2914
 * Xavier (JetPack 4/5): ... EMC_FREQ 0% GR3D_FREQ 0% AO@35.5C ... VDD_IN 4306/4306 VDD_SOC 1306/1306
 * Orin (JetPack 5/6): 03-17-2023 10:26:11 RAM 2337/30536MB ... GR3D_FREQ 0%@[0,0] ... VDD_GPU_SOC 2389mW/2389mW
 * </pre>
 */
public final class Tegrastats {

    /** The sampling interval used when the request does not say. */
    public static final int DEFAULT_INTERVAL_MS = 1000;

    private static final Pattern TIME = Pattern.compile("^\\s*(\\d\\d-\\d\\d-\\d{4} \\d\\d:\\d\\d:\\d\\d)");
    private static final Pattern RAM = Pattern.compile("\\bRAM (\\d+)/(\\d+)([kMG]B)");
    private static final Pattern SWAP = Pattern.compile(
            "\\bSWAP (\\d+)/(\\d+)([kMG]B)(?: \\(cached (\\d+)([kMG]B)\\))?");
    private static final Pattern CPU = Pattern.compile("\\bCPU \\[([^\\]]*)\\]");
    private static final Pattern CPU_CORE = Pattern.compile("(\\d+)%(?:@(\\d+))?");
    private static final Pattern EMC = Pattern.compile("\\bEMC_FREQ (\\d+)%(?:@(\\d+))?");
    private static final Pattern GR3D = Pattern.compile("\\bGR3D_FREQ (\\d+)%(?:@\\[?([\\d,]+)\\]?)?");
    private static final Pattern TEMP = Pattern.compile("\\b([A-Za-z][A-Za-z0-9_]*)@(-?\\d+(?:\\.\\d+)?)C\\b");
    private static final Pattern RAIL = Pattern.compile("\\b([A-Z][A-Z0-9_]*) (\\d+)(?:mW)?/(\\d+)(?:mW)?(?=\\s|$)");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MM-dd-yyyy HH:mm:ss");

    private Tegrastats() {}

    /**
     * One CPU core.
     *
     * @param loadPercent load in percent, or -1 when the core is off
     * @param mhz its clock in MHz, or -1 when not shown
     */
    public record Core(int loadPercent, int mhz) {
        /** @return whether the core is online */
        public boolean online() {
            return loadPercent >= 0;
        }
    }

    /**
     * A power rail's reading.
     *
     * @param currentMilliwatts the instantaneous power
     * @param averageMilliwatts the average since tegrastats started
     */
    public record Rail(long currentMilliwatts, long averageMilliwatts) {}

    /**
     * One tegrastats line.
     *
     * @param time the line's timestamp (JetPack 5 and later), or null
     * @param ramUsedBytes RAM in use (CPU and GPU together)
     * @param ramTotalBytes RAM size
     * @param swapUsedBytes swap in use, or -1
     * @param swapTotalBytes swap size, or -1
     * @param swapCachedBytes swap cache, or -1
     * @param cpus the CPU cores in order
     * @param emcPercent memory controller (EMC) load in percent, or -1
     * @param emcMhz memory controller clock in MHz, or -1
     * @param gpuPercent GPU (GR3D) load in percent, or -1
     * @param gpuMhz GPU clocks in MHz (one per GPC on Orin), empty when not shown
     * @param temperaturesC temperatures by sensor, degrees Celsius (sensors reading -256, i.e. off, are left out)
     * @param power power rails by name
     */
    public record Reading(LocalDateTime time, long ramUsedBytes, long ramTotalBytes, long swapUsedBytes,
            long swapTotalBytes, long swapCachedBytes, List<Core> cpus, int emcPercent, int emcMhz, int gpuPercent,
            List<Integer> gpuMhz, Map<String, Double> temperaturesC, Map<String, Rail> power) {

        /** Copies the collections. */
        public Reading {
            cpus = List.copyOf(cpus);
            gpuMhz = List.copyOf(gpuMhz);
            temperaturesC = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(temperaturesC));
            power = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(power));
        }

        /** @return the mean load of the online cores in percent, or -1 without CPU figures */
        public double cpuPercent() {
            return cpus.stream().filter(Core::online).mapToInt(Core::loadPercent).average().orElse(-1);
        }

        /**
         * The reading as the {@code details} of a memory event: plain numbers, camelCase names like the
         * event fields.
         *
         * @return the map
         */
        public Map<String, Object> details() {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("ramTotalBytes", ramTotalBytes);
            if (swapTotalBytes >= 0) {
                d.put("swapUsedBytes", swapUsedBytes);
                d.put("swapTotalBytes", swapTotalBytes);
            }
            if (!cpus.isEmpty()) {
                d.put("cpuPercent", cpuPercent());
            }
            if (gpuPercent >= 0) {
                d.put("gpuPercent", gpuPercent);
            }
            if (!gpuMhz.isEmpty()) {
                d.put("gpuMhz", gpuMhz);
            }
            if (emcPercent >= 0) {
                d.put("emcPercent", emcPercent);
            }
            if (emcMhz >= 0) {
                d.put("emcMhz", emcMhz);
            }
            if (!temperaturesC.isEmpty()) {
                d.put("temperaturesC", temperaturesC);
            }
            if (!power.isEmpty()) {
                Map<String, Long> mw = new LinkedHashMap<>();
                power.forEach((k, v) -> mw.put(k, v.currentMilliwatts()));
                d.put("powerMw", mw);
            }
            return d;
        }
    }

    /**
     * Parses one tegrastats line.
     *
     * @param line the line
     * @return the reading, or null when the line has no RAM figure (not a tegrastats line)
     */
    public static Reading parse(String line) {
        if (line == null) {
            return null;
        }
        Matcher ram = RAM.matcher(line);
        if (!ram.find()) {
            return null;
        }
        LocalDateTime time = null;
        Matcher t = TIME.matcher(line);
        if (t.find()) {
            try {
                time = LocalDateTime.parse(t.group(1), STAMP);
            } catch (DateTimeParseException e) {
                time = null;
            }
        }
        long ramUsed = bytes(ram.group(1), ram.group(3));
        long ramTotal = bytes(ram.group(2), ram.group(3));
        long swapUsed = -1;
        long swapTotal = -1;
        long swapCached = -1;
        Matcher swap = SWAP.matcher(line);
        if (swap.find()) {
            swapUsed = bytes(swap.group(1), swap.group(3));
            swapTotal = bytes(swap.group(2), swap.group(3));
            if (swap.group(4) != null) {
                swapCached = bytes(swap.group(4), swap.group(5));
            }
        }
        List<Core> cpus = new ArrayList<>();
        Matcher cpu = CPU.matcher(line);
        if (cpu.find()) {
            for (String c : cpu.group(1).split(",")) {
                String s = c.trim();
                Matcher m = CPU_CORE.matcher(s);
                if (s.equals("off")) {
                    cpus.add(new Core(-1, -1));
                } else if (m.matches()) {
                    cpus.add(new Core(Integer.parseInt(m.group(1)), m.group(2) == null ? -1 : Integer.parseInt(m.group(2))));
                }
            }
        }
        int emcPercent = -1;
        int emcMhz = -1;
        Matcher emc = EMC.matcher(line);
        if (emc.find()) {
            emcPercent = Integer.parseInt(emc.group(1));
            emcMhz = emc.group(2) == null ? -1 : Integer.parseInt(emc.group(2));
        }
        int gpuPercent = -1;
        List<Integer> gpuMhz = new ArrayList<>();
        Matcher gr3d = GR3D.matcher(line);
        if (gr3d.find()) {
            gpuPercent = Integer.parseInt(gr3d.group(1));
            if (gr3d.group(2) != null) {
                for (String f : gr3d.group(2).split(",")) {
                    if (!f.isEmpty()) {
                        gpuMhz.add(Integer.parseInt(f));
                    }
                }
            }
        }
        Map<String, Double> temps = new LinkedHashMap<>();
        Matcher temp = TEMP.matcher(line);
        while (temp.find()) {
            double v = Double.parseDouble(temp.group(2));
            if (v > -200) {
                temps.put(temp.group(1), v);
            }
        }
        Map<String, Rail> power = new LinkedHashMap<>();
        Matcher rail = RAIL.matcher(line);
        while (rail.find()) {
            power.put(rail.group(1), new Rail(Long.parseLong(rail.group(2)), Long.parseLong(rail.group(3))));
        }
        return new Reading(time, ramUsed, ramTotal, swapUsed, swapTotal, swapCached, cpus, emcPercent, emcMhz,
                gpuPercent, gpuMhz, temps, power);
    }

    private static long bytes(String value, String unit) {
        long v = Long.parseLong(value);
        switch (unit) {
            case "kB":
                return v * 1024L;
            case "GB":
                return v * 1024L * 1024L * 1024L;
            default:
                return v * 1024L * 1024L;
        }
    }

    /**
     * The memory event of a reading.
     *
     * @param r the reading
     * @param peakBytes the highest RAM in use seen so far by the sampler
     * @return the event (phase sample, source tegrastats)
     */
    public static MemorySample toEvent(Reading r, long peakBytes) {
        return new MemorySample("sample", "tegrastats", r.ramUsedBytes(), peakBytes, -1, -1, r.details());
    }

    /**
     * Runs tegrastats and emits a memory event per line until closed. If tegrastats cannot be
     * started, or ends on its own, a warning event says so and the run goes on without it.
     */
    public static final class Sampler implements AutoCloseable {
        private final List<String> command;
        private final EventSink sink;
        private volatile boolean closed;
        private Process process;
        private Thread reader;

        /**
         * A sampler.
         *
         * @param command the command, normally {@link #command(int)}
         * @param sink where events go (the worker's run context, so sequence numbers stay in order)
         */
        public Sampler(List<String> command, EventSink sink) {
            this.command = List.copyOf(command);
            this.sink = sink;
        }

        /**
         * The tegrastats command line.
         *
         * @param intervalMs the sampling interval
         * @return {@code tegrastats --interval N}
         */
        public static List<String> command(int intervalMs) {
            return List.of("tegrastats", "--interval", Integer.toString(intervalMs));
        }

        /**
         * Starts the process and the reading thread; returns at once.
         *
         * @return this sampler
         */
        public synchronized Sampler start() {
            try {
                process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                sink.emit(new Warning("tegrastats could not be started (" + e.getMessage() + "); this run has no"
                        + " tegrastats memory samples. On a Jetson it is /usr/bin/tegrastats; make sure it is on"
                        + " the PATH of the SSH session"));
                return this;
            }
            Process p = process;
            reader = new Thread(() -> read(p), "tegrastats");
            reader.setDaemon(true);
            reader.start();
            return this;
        }

        private void read(Process p) {
            long peak = -1;
            int readings = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null && !closed) {
                    Reading reading = parse(line);
                    if (reading == null) {
                        continue;
                    }
                    readings++;
                    peak = Math.max(peak, reading.ramUsedBytes());
                    sink.emit(toEvent(reading, peak));
                }
            } catch (IOException e) {
                // the process was stopped
            }
            if (!closed) {
                sink.emit(new Warning("tegrastats ended after " + readings + " reading(s)"
                        + (p.isAlive() ? "" : " (exit code " + p.exitValue() + ")")
                        + "; no more tegrastats memory samples in this run"));
            }
        }

        /** Stops tegrastats and waits briefly for the reading thread; no event is emitted after. */
        @Override
        public synchronized void close() {
            closed = true;
            if (process != null) {
                process.destroy();
                try {
                    if (!process.waitFor(2, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                    if (reader != null) {
                        reader.join(2000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
