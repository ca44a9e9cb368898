package org.da3.workbench.data.procedural;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws one image of a procedural domain: deterministic given the random stream it is handed, so
 * a dataset is a pure function of its seed.
 */
public interface Generator {

    /** @return the generator name used in descriptors */
    String name();

    /** @return the class names, index = label */
    List<String> classNames();

    /**
     * Draws an image of a class.
     *
     * @param label the class
     * @param size the image side in pixels
     * @param rnd the image's own random stream
     * @return RGB pixels, HWC, {@code size * size * 3} bytes
     */
    byte[] draw(int label, int size, SplittableRandom rnd);
}
