package org.da3.workbench.data.files;

import java.nio.file.Path;

/** Points the data cache at a test's own folder and back. */
final class CacheDir implements AutoCloseable {
    private final String previous;

    /**
     * Sets the cache folder.
     *
     * @param dir the folder
     */
    CacheDir(Path dir) {
        previous = System.getProperty("da3.cache");
        System.setProperty("da3.cache", dir.toString());
    }

    @Override
    public void close() {
        if (previous == null) {
            System.clearProperty("da3.cache");
        } else {
            System.setProperty("da3.cache", previous);
        }
    }
}
