package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.explainj.explain.BatchedForward;
import org.explainj.explain.Method;
import org.explainj.model.HostArrays;
import org.explainj.tensor.Grid;

/**
 * Score-CAM (Wang et al. 2020): each channel's activation, upsampled to the input size (bilinear, corners aligned,
 * as pytorch-grad-cam's UpsamplingBilinear2d; trilinear for volumes) and min–max normalised, masks the input; the
 * class logits of the K masked inputs, softmax-normalised over channels, are the weights. Cost: one forward plus K
 * forwards, batched. The masks and masked inputs are made in libtorch, batch by batch.
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
    protected NDArray channelWeights(LayerData d) {
        Grid from = d.grid();
        Grid to = d.input().grid();
        NDManager m = d.manager();
        NDArray x = HostArrays.floats(m, d.input().data(), new Shape(d.input().shape()));
        NDList kept = new NDList(d.activations(), x, weights(m, from.width(), to.width()).transpose(),
                weights(m, from.height(), to.height()));
        if (from.isVolume()) {
            kept.add(weights(m, from.depth(), to.depth()));
        }
        long[] spatial = from.isVolume() ? new long[] {from.depth(), from.height(), from.width()}
                : new long[] {from.height(), from.width()};
        float[] scores = BatchedForward.targetScores(d.model(), d.channels(), d.options(), d.input(), d.target(),
                d.targetClass(), (bm, start, n) -> {
                    // the arrays this batch reads come back to the run's manager when the batch's manager closes
                    kept.tempAttach(bm);
                    NDArray a = kept.get(0).get(new NDIndex("{}:{}", start, start + n));
                    NDArray up = kept.get(3).matMul(a.reshape(new Shape(n).addAll(new Shape(spatial)))
                            .matMul(kept.get(2)));
                    if (from.isVolume()) {
                        up = kept.get(4).matMul(up.reshape(n, from.depth(), -1));
                    }
                    NDArray flat = up.reshape(n, -1);
                    NDArray lo = flat.min(POSITIONS, true);
                    NDArray range = flat.max(POSITIONS, true).sub(lo).add(HostArrays.scalar(bm, 1e-8f));
                    NDArray masks = flat.sub(lo).div(range);
                    return kept.get(1).mul(masks.reshape(new Shape(n, 1).addAll(new Shape(to.isVolume()
                            ? new long[] {to.depth(), to.height(), to.width()}
                            : new long[] {to.height(), to.width()}))));
                });
        return HostArrays.floats(m, softmax(scores), new Shape(scores.length));
    }

    /**
     * The out × in matrix of linear interpolation with corners aligned along one axis, with the source coordinate
     * and weights in float32 as PyTorch's upsampling kernels compute them.
     */
    static NDArray weights(NDManager m, int in, int out) {
        float scale = out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        float[] w = new float[out * in];
        for (int o = 0; o < out; o++) {
            float src = scale * o;
            int i0 = Math.min((int) src, in - 1);
            int i1 = i0 + (i0 < in - 1 ? 1 : 0);
            float l1 = src - i0;
            w[o * in + i0] += 1f - l1;
            w[o * in + i1] += l1;
        }
        return HostArrays.floats(m, w, new Shape(out, in));
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
