package org.explainj.explain.cam;

import org.explainj.explain.BatchedForward;
import org.explainj.explain.Method;
import org.explainj.tensor.Grid;
import org.explainj.tensor.Resample;

/**
 * Score-CAM (Wang et al. 2020): each channel's activation, upsampled to the input size (bilinear, corners aligned,
 * as pytorch-grad-cam's UpsamplingBilinear2d) and min–max normalised, masks the input; the class logits of the K
 * masked inputs, softmax-normalised over channels, are the weights. Cost: one forward plus K forwards, batched.
 */
public final class ScoreCam extends BaseCam {

    @Override
    protected Method method() {
        return Method.SCORE_CAM;
    }

    @Override
    protected boolean needsGradients() {
        return false;
    }

    @Override
    protected float[] channelWeights(LayerData d) {
        Grid to = d.input().grid();
        int c = d.input().channels();
        int plane = to.size();
        float[] x = d.input().data();
        float[] scores = BatchedForward.targetScores(d.model(), d.channels(), d.options(), d.input(), d.target(),
                d.targetClass(), (k, out) -> {
                    float[] mask = Resample.linearAlignCorners(d.activations(), k * d.area(), d.grid(), to);
                    float lo = Float.POSITIVE_INFINITY;
                    float hi = Float.NEGATIVE_INFINITY;
                    for (float v : mask) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                    float range = hi - lo + 1e-8f;
                    for (int ch = 0; ch < c; ch++) {
                        for (int i = 0; i < plane; i++) {
                            out[ch * plane + i] = x[ch * plane + i] * ((mask[i] - lo) / range);
                        }
                    }
                });
        return softmax(scores);
    }

    static float[] softmax(float[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            e[i] = Math.exp(s[i] - max);
            sum += e[i];
        }
        float[] out = new float[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = (float) (e[i] / sum);
        }
        return out;
    }
}
