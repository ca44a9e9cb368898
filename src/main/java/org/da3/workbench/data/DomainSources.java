package org.da3.workbench.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.da3.workbench.data.files.CifarSource;
import org.da3.workbench.data.files.DecathlonSource;
import org.da3.workbench.data.files.IdxSource;
import org.da3.workbench.data.files.ImageFolderSource;
import org.da3.workbench.data.procedural.ProceduralSource;

/** The registry of dataset source kinds: one place names them. */
public final class DomainSources {

    private static final Map<String, DomainSource> SOURCES = new LinkedHashMap<>();

    static {
        register(new ProceduralSource());
        register(new IdxSource());
        register(new CifarSource());
        register(new ImageFolderSource());
        register(new DecathlonSource());
    }

    private DomainSources() {}

    private static void register(DomainSource s) {
        SOURCES.put(s.kind(), s);
    }

    /** @return the kind names */
    public static List<String> kinds() {
        return new ArrayList<>(SOURCES.keySet());
    }

    /**
     * Looks up a source.
     *
     * @param kind the kind name
     * @return the source
     * @throws IllegalArgumentException listing the known kinds
     */
    public static DomainSource forKind(String kind) {
        DomainSource s = SOURCES.get(kind);
        if (s == null) {
            throw new IllegalArgumentException("unknown dataset kind '" + kind + "'; allowed: "
                    + String.join(", ", SOURCES.keySet()));
        }
        return s;
    }

    /**
     * Loads a dataset through the source of its kind.
     *
     * @param d the descriptor
     * @param options size and limits
     * @return the domain
     */
    public static Domain load(DatasetDescriptor d, LoadOptions options) {
        return forKind(d.kind()).load(d, options);
    }
}
