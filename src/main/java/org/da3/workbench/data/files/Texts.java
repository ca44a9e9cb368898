package org.da3.workbench.data.files;

import java.util.List;

/** Small text helpers for problem messages. */
final class Texts {
    private Texts() {}

    /**
     * Joins the first items of a list and says how many more there are.
     *
     * @param items the items
     * @param max how many to show
     * @return for example {@code "a, b, c and 4 more"}
     */
    static String some(List<String> items, int max) {
        if (items.size() <= max) {
            return String.join(", ", items);
        }
        return String.join(", ", items.subList(0, max)) + " and " + (items.size() - max) + " more";
    }

    /**
     * A count with a noun, singular or plural.
     *
     * @param n the count
     * @param noun the singular noun
     * @return for example {@code "1 image"}, {@code "3 images"}
     */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
