package org.da3.workbench.ui;

import java.awt.Color;

/**
 * The colours of chart series, shared by the live charts and exported figures so a method keeps
 * its colour everywhere. A colour-blind-safe qualitative palette (Okabe-Ito, then Tableau).
 */
public final class ChartPalette {
    private static final Color[] COLORS = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xD55E00),
        new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x8C6D31), new Color(0x555555),
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0x59A14F), new Color(0xE15759),
    };

    private ChartPalette() {}

    /**
     * The colour of the i-th series.
     *
     * @param i the index (wraps around)
     * @return the colour
     */
    public static Color color(int i) {
        return COLORS[Math.floorMod(i, COLORS.length)];
    }

    /** @return how many distinct colours there are */
    public static int size() {
        return COLORS.length;
    }
}
