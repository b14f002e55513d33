package org.explainj.explain.cam;

import ai.djl.ndarray.types.Shape;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.explain.LayerPass;
import org.explainj.model.LayerException;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * The class-activation-map family: map = Σ_k w_k A^k over the channels k of a layer's activation A, then ReLU.
 * A variant only says how it weights the channels ({@link #channelWeights}). Cost: one forward and a backward from
 * the output down to the layer only (the layer's output is cut from the graph below it).
 */
public abstract class BaseCam implements Explainer {

    /** The activation A and its gradient dY/dA of one layer, both K×H×W (batch dropped). */
    protected record LayerData(float[] activations, float[] gradients, int channels, int height, int width) {
        public int area() {
            return height * width;
        }
    }

    protected abstract Method method();

    /** Per-channel weights w_k (length K). */
    protected abstract float[] channelWeights(LayerData data);

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        String layer = LayerPass.layerOrDefault(model, input, options.layer(), method());
        LayerPass.Result r = LayerPass.activationAndGradient(model, input, target, layer);
        long[] s = r.shape();
        if (s.length != 4) {
            throw new LayerException("The layer " + layer + " has output shape " + new Shape(s) + "; " + method()
                    + " needs a spatial N×C×H×W output. Choose a convolutional layer (e.g. the last block before "
                    + "global pooling).");
        }
        LayerData d = new LayerData(r.activations(), r.gradients(), (int) s[1], (int) s[2], (int) s[3]);
        float[] w = channelWeights(d);
        int hw = d.area();
        float[] map = new float[hw];
        for (int k = 0; k < d.channels(); k++) {
            float wk = w[k];
            int off = k * hw;
            for (int i = 0; i < hw; i++) {
                map[i] += wk * d.activations()[off + i];
            }
        }
        if (options.relu()) {
            for (int i = 0; i < hw; i++) {
                map[i] = Math.max(map[i], 0f);
            }
        }
        return Attribution.of(map, d.width(), d.height(), method(), layer, r.targetClass(), r.scores());
    }
}
