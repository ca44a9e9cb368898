package org.da3.workbench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Versions of the workbench and its platform, recorded in every run's manifest. */
public final class Versions {
    private Versions() {}

    /** @return the workbench version from the jar manifest, or "dev" when run from classes */
    public static String workbench() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * This machine's name, as a run's manifest records it (and a reader compares it with), looked up
     * once.
     *
     * @return the host name, or "unknown"
     */
    public static String host() {
        return Host.NAME;
    }

    private static final class Host {
        static final String NAME = lookUp();

        private static String lookUp() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "unknown";
            }
        }
    }

    /** @return JVM and OS facts (no DJL) */
    public static Map<String, Object> platform() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("workbench", workbench());
        m.put("java.version", System.getProperty("java.version"));
        m.put("java.vendor", System.getProperty("java.vendor"));
        m.put("os.name", System.getProperty("os.name"));
        m.put("os.arch", System.getProperty("os.arch"));
        m.put("os.version", System.getProperty("os.version"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        return m;
    }
}
