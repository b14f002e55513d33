package org.explainj.tensor;

/**
 * A model input tensor, float32, C order: 1×C×H×W for a plane or 1×C×D×H×W for a volume (3-D models).
 *
 * @param depth 0 for a 2-D input, else the number of slices
 */
public record ModelInput(float[] data, int channels, int depth, int height, int width) {

    /** A 2-D input, 1×C×H×W. */
    public ModelInput(float[] data, int channels, int height, int width) {
        this(data, channels, 0, height, width);
    }

    public ModelInput {
        if ((long) channels * Math.max(depth, 1) * height * width != data.length) {
            throw new IllegalArgumentException("data length " + data.length + " does not match " + channels + "x"
                    + depth + "x" + height + "x" + width);
        }
    }

    /** The spatial extent (a plane, or a volume for 3-D models). */
    public Grid grid() {
        return new Grid(width, height, depth);
    }

    /** The same channels with other values (a perturbed copy). */
    public ModelInput withData(float[] values) {
        return new ModelInput(values, channels, depth, height, width);
    }

    public long[] shape() {
        return grid().tensorShape(1, channels);
    }

    /** Values per sample (C × positions). */
    public int sampleSize() {
        return data.length;
    }
}
