package org.da3.workbench.method;

/**
 * A way of adapting the shared backbone to a domain. Implementations are stateless factories of
 * {@link Patch}es, bound to the names in {@link org.da3.workbench.spec.MethodCatalog} by {@link
 * MethodRegistry}.
 */
public interface Method {

    /** @return the registry name, as in the catalog */
    String name();

    /**
     * Makes a fresh patch for a domain.
     *
     * @param ctx the backbone, classes, options, manager and seed
     * @return the patch, ready to train
     */
    Patch create(PatchContext ctx);

    /**
     * Whether training this method changes the backbone's own arrays. Only a method that trains
     * the backbone in place would; fine-tune trains a per-domain copy, so every method here
     * returns false and the backbone's checksum must not change.
     *
     * @return false for every method in the registry
     */
    default boolean mutatesBackbone() {
        return false;
    }
}
