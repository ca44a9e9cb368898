package org.da3.workbench.data;

import java.util.List;
import java.util.Set;

/**
 * Reads one kind of dataset layout into a {@link Domain}.
 *
 * <p>Implementations are stateless and registered in {@link DomainSources} by their {@link
 * #kind()}. Errors are {@link org.da3.workbench.spec.SpecException}s (bad descriptor fields) or
 * {@link DatasetException}s (bad data), both naming the file and what would be right.
 */
public interface DomainSource {

    /** @return the kind name used in descriptors, for example {@code idx} */
    String kind();

    /** @return the descriptor fields this kind accepts besides name, kind, title, description */
    Set<String> fieldNames();

    /**
     * Describes a dataset cheaply (headers, folder listings), for lists and the GUI.
     *
     * @param d the descriptor
     * @return sizes, classes and problems found
     */
    DatasetInfo describe(DatasetDescriptor d);

    /**
     * Checks a dataset thoroughly and reports every problem found, not only the first.
     *
     * @param d the descriptor
     * @return the problems (empty when the dataset is usable); each names the file
     */
    List<String> check(DatasetDescriptor d);

    /**
     * Loads a dataset into memory as uint8 images of the requested size.
     *
     * @param d the descriptor
     * @param options size and limits
     * @return the domain
     */
    Domain load(DatasetDescriptor d, LoadOptions options);
}
