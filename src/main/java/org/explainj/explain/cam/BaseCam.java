package org.explainj.explain.cam;

import ai.djl.ndarray.types.Shape;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.LayerPass;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.LayerException;
import org.explainj.model.LayerLayout;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ModelInput;

/**
 * The class-activation-map family: map(i,j) = Σ_k w_k A^k(i,j) over the channels k of a layer's activation A
 * (positions (z,i,j) for 3-D models), then
 * ReLU (unless switched off). A variant only says how it weights: per channel ({@link #channelWeights}), or per
 * channel and position ({@link #pixelWeights}, HiResCAM and LayerCAM). The base fetches A and dY/dA (one forward
 * and a backward from the output down to the layer only) unless a variant needs no gradient.
 */
public abstract class BaseCam implements Explainer {

    /**
     * The activation A and its gradient dY/dA of one layer, both K×H×W or, for 3-D models, K×D×H×W (batch
     * dropped); {@code grid} is the layer's spatial extent.
     */
    protected record LayerData(float[] activations, float[] gradients, int channels, Grid grid,
                               TorchScriptModel model, ModelInput input, String layer, Target target,
                               int targetClass, float[] scores, ExplainOptions options) {
        /** Positions per channel (H·W, or D·H·W). */
        public int area() {
            return grid.size();
        }
    }

    protected abstract Method method();

    /** Per-channel weights w_k (length K). */
    protected abstract float[] channelWeights(LayerData data);

    /** Weights per channel and position (length K·H·W); by default each channel's weight everywhere. */
    protected float[] pixelWeights(LayerData d) {
        return null;
    }

    /** Whether the method reads dY/dA; those that do not (EigenCAM, Score-CAM, CAM) skip the backward. */
    protected boolean needsGradients() {
        return true;
    }

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        String layer = LayerPass.layerOrDefault(model, input, target, options.layer(), method());
        LayerPass.Result r = LayerPass.activationAndGradient(model, input, target, layer, needsGradients());
        return fromLayer(model, input, target, layer, r, options);
    }

    /** The map from a layer's A and dY/dA obtained elsewhere (e.g. in a combined pass). */
    public Attribution fromLayer(TorchScriptModel model, ModelInput input, Target target, String layer,
                                 LayerPass.Result r, ExplainOptions options) {
        if (r.layout() == null) {
            // tokens [1, T, C] and channels-last [1, H, W, C] are read channels first ([1, C, h, w])
            LayerLayout layout = model.layerLayout(layer, r.shape(), input.shape(), options.layout(),
                    options.prefixTokens());
            r = r.inLayout(layout == null ? LayerLayout.CHANNELS_FIRST : layout);
        }
        long[] s = r.shape();
        Grid grid = Grid.ofShape(s);
        if (grid == null || grid.size() <= 1 || grid.isVolume() != input.grid().isVolume()) {
            throw new LayerException("The layer " + layer + " has output shape " + new Shape(s) + "; " + method()
                    + " needs a spatial " + (input.grid().isVolume() ? "N×C×D×H×W" : "N×C×H×W") + " output. "
                    + "Choose a convolutional layer (e.g. the last block before global pooling).");
        }
        LayerData d = new LayerData(r.activations(), r.gradients(), (int) s[1], grid, model, input, layer, target,
                r.targetClass(), r.scores(), options);
        float[] map = combine(d);
        if (options.relu()) {
            for (int i = 0; i < map.length; i++) {
                map[i] = Math.max(map[i], 0f);
            }
        }
        return Attribution.of(map, grid, method(), layer, r.targetClass(), r.scores());
    }

    /** Σ_k w A^k, with channel or pixel weights. */
    float[] combine(LayerData d) {
        int hw = d.area();
        float[] map = new float[hw];
        float[] pw = pixelWeights(d);
        if (pw != null) {
            for (int k = 0; k < d.channels(); k++) {
                int off = k * hw;
                for (int i = 0; i < hw; i++) {
                    map[i] += pw[off + i] * d.activations()[off + i];
                }
            }
            return map;
        }
        float[] w = channelWeights(d);
        for (int k = 0; k < d.channels(); k++) {
            float wk = w[k];
            int off = k * hw;
            for (int i = 0; i < hw; i++) {
                map[i] += wk * d.activations()[off + i];
            }
        }
        return map;
    }

    /** Σ over positions of one channel's values. */
    static double channelSum(float[] v, int k, int hw) {
        double s = 0;
        for (int i = k * hw; i < (k + 1) * hw; i++) {
            s += v[i];
        }
        return s;
    }
}
