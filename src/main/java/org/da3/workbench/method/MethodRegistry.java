package org.da3.workbench.method;

import java.util.LinkedHashMap;
import java.util.Map;
import org.da3.workbench.spec.MethodCatalog;

/** Binds the method names of {@link MethodCatalog} to their implementations. */
public final class MethodRegistry {
    private static final Map<String, Method> METHODS = new LinkedHashMap<>();

    static {
        register(new FineTune());
        register(new LinearProbe());
        register(new BnAndLast());
        register(new ResidualAdapters(true));
        register(new ResidualAdapters(false));
        register(new Piggyback());
        register(new LiteResidual());
        register(new Da3());
    }

    private MethodRegistry() {}

    private static void register(Method m) {
        if (MethodCatalog.find(m.name()) == null) {
            throw new IllegalStateException("method " + m.name() + " is not in MethodCatalog");
        }
        METHODS.put(m.name(), m);
    }

    /**
     * Looks a method up.
     *
     * @param name the name
     * @return the method
     * @throws IllegalArgumentException listing the valid names
     */
    public static Method get(String name) {
        Method m = METHODS.get(name);
        if (m == null) {
            throw new IllegalArgumentException("unknown method '" + name + "'; allowed: "
                    + String.join(", ", METHODS.keySet()));
        }
        return m;
    }

    /** @return the registered names */
    public static java.util.Set<String> names() {
        return java.util.Collections.unmodifiableSet(METHODS.keySet());
    }
}
