package org.explainj.tensor;

/** Min–max rescaling to [0, 1], in place; a constant array becomes all 0. */
public final class MinMax {

    private MinMax() {
    }

    public static void normalizeInPlace(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        float range = hi - lo;
        for (int i = 0; i < v.length; i++) {
            v[i] = range > 0 ? (v[i] - lo) / range : 0f;
        }
    }
}
