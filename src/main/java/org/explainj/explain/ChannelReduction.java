package org.explainj.explain;

/** One map from a per-channel input attribution: per pixel the channel value of largest magnitude. */
public final class ChannelReduction {

    private ChannelReduction() {
    }

    /**
     * @param values   C×H×W values
     * @param signed   keep the value's sign; otherwise |·| (Simonyan's max over channels of |gradient|)
     */
    public static float[] largestMagnitude(float[] values, int channels, int plane, boolean signed) {
        float[] map = new float[plane];
        for (int i = 0; i < plane; i++) {
            float best = values[i];
            for (int c = 1; c < channels; c++) {
                float v = values[c * plane + i];
                if (Math.abs(v) > Math.abs(best)) {
                    best = v;
                }
            }
            map[i] = signed ? best : Math.abs(best);
        }
        return map;
    }
}
