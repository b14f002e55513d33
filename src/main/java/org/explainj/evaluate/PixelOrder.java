package org.explainj.evaluate;

import java.util.Arrays;

/** Pixels ranked by a map's value, highest first; equal values in raster order (the evaluation protocol's order). */
public final class PixelOrder {

    private PixelOrder() {
    }

    /** The pixel indexes of {@code map}, highest value first, ties by index; NaN values are refused. */
    public static int[] rank(float[] map) {
        long[] keys = new long[map.length];
        for (int i = 0; i < map.length; i++) {
            if (Float.isNaN(map[i])) {
                throw new EvaluationException("The heatmap has NaN values (pixel " + i + "); they cannot be ranked. "
                        + "Make the heatmap again, or replace them (Process › Math › Remove NaNs...).");
            }
            // descending value: order by the negated value's sortable bits, then by index
            keys[i] = ((long) sortable(-map[i]) << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[map.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = (int) (keys[i] & 0xffffffffL);
        }
        return order;
    }

    /** An int whose signed order is the float's order (−0 and 0 equal). */
    private static int sortable(float v) {
        int bits = Float.floatToIntBits(v == 0 ? 0f : v);
        return bits >= 0 ? bits : bits ^ 0x7fffffff;
    }

    /** How many pixels are changed after step {@code i} of {@code n}: floor(i·P/n + 0.5). */
    public static int changedAfter(int i, int n, int pixels) {
        return (int) Math.floor((double) i * pixels / n + 0.5);
    }
}
