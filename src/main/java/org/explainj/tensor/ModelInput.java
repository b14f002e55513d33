package org.explainj.tensor;

/** A model input tensor of shape 1×C×H×W, float32, C-order. */
public record ModelInput(float[] data, int channels, int height, int width) {

    public long[] shape() {
        return new long[] {1, channels, height, width};
    }
}
