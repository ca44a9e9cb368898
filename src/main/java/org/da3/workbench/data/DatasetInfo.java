package org.da3.workbench.data;

import java.util.List;

/**
 * What {@code da3 datasets list} and the GUI show of a dataset without loading its images.
 *
 * @param name the dataset name
 * @param kind the source kind
 * @param location the path it reads (or "built-in")
 * @param found whether the data is there
 * @param classes the number of classes (-1 if unknown)
 * @param trainSize the number of training images (-1 if unknown)
 * @param testSize the number of test images (-1 if unknown)
 * @param problems what is wrong, empty when usable
 */
public record DatasetInfo(
        String name, String kind, String location, boolean found, int classes, int trainSize,
        int testSize, List<String> problems) {

    /** Copies the problems. */
    public DatasetInfo {
        problems = List.copyOf(problems);
    }
}
