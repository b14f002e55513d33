package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.LayerPass;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.HostArrays;
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
 * and a backward from the output down to the layer only) unless a variant needs no gradient. Weights and sums are
 * libtorch operations (float32) on the layer's arrays, which never leave libtorch: only the map is copied out.
 */
public abstract class BaseCam implements Explainer {

    /**
     * The activation A and its gradient dY/dA of one layer as native K×P arrays (P = H·W, or D·H·W for 3-D models;
     * channels first whatever the layer's own layout, batch dropped; views, not necessarily contiguous);
     * {@code grid} is the layer's spatial extent. The arrays belong to the run's manager ({@link #manager()}).
     */
    protected record LayerData(NDArray activations, NDArray gradients, int channels, Grid grid,
                               TorchScriptModel model, ModelInput input, String layer, Target target,
                               int targetClass, float[] scores, ExplainOptions options) {
        /** Positions per channel (H·W, or D·H·W). */
        public int area() {
            return grid.size();
        }

        /** The manager of this run's arrays. */
        public NDManager manager() {
            return activations.getManager();
        }

        /** A float32 scalar in this run's manager. */
        NDArray scalar(float v) {
            return HostArrays.scalar(manager(), v);
        }
    }

    /** Positions axis of the K×P arrays. */
    static final int[] POSITIONS = {1};
    /** Channel axis of the K×P arrays. */
    static final int[] CHANNELS = {0};

    protected abstract Method method();

    /** Per-channel weights w_k: a native vector of length K. */
    protected abstract NDArray channelWeights(LayerData data);

    /** Weights per channel and position (K×P); null (the default): each channel's weight everywhere. */
    protected NDArray pixelWeights(LayerData d) {
        return null;
    }

    /** Whether the method reads dY/dA; those that do not (EigenCAM, Score-CAM, CAM) skip the backward. */
    protected boolean needsGradients() {
        return true;
    }

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        String layer = LayerPass.layerOrDefault(model, input, target, options.layer(), method());
        try (NDManager m = model.newManager()) {
            LayerPass.Native r = LayerPass.activationAndGradient(model, input, target, layer, needsGradients(), m);
            return map(model, input, target, layer, r, null, options);
        }
    }

    /** The map from a layer's A and dY/dA obtained elsewhere (e.g. in a combined pass). */
    public Attribution fromLayer(TorchScriptModel model, ModelInput input, Target target, String layer,
                                 LayerPass.Result r, ExplainOptions options) {
        try (NDManager m = model.newManager()) {
            Shape shape = new Shape(r.shape());
            NDArray a = HostArrays.floats(m, r.activations(), shape);
            NDArray g = r.gradients() == null ? null : HostArrays.floats(m, r.gradients(), shape);
            // a result already read in a layout holds channels-first values
            LayerLayout known = r.layout() == null ? null : LayerLayout.CHANNELS_FIRST;
            return map(model, input, target, layer, new LayerPass.Native(a, g, r.targetClass(), r.scores()), known,
                    options);
        }
    }

    private Attribution map(TorchScriptModel model, ModelInput input, Target target, String layer,
                            LayerPass.Native r, LayerLayout known, ExplainOptions options) {
        long[] raw = r.shape();
        LayerLayout layout = known;
        if (layout == null) {
            // tokens [1, T, C] and channels-last [1, H, W, C] are read channels first ([1, C, h, w])
            layout = model.layerLayout(layer, raw, input.shape(), options.layout(), options.prefixTokens());
        }
        if (layout == null) {
            layout = LayerLayout.CHANNELS_FIRST;
        }
        long[] s = layout.channelsFirst(raw);
        Grid grid = Grid.ofShape(s);
        if (grid == null || grid.size() <= 1 || grid.isVolume() != input.grid().isVolume()) {
            throw new LayerException("The layer " + layer + " has output shape " + new Shape(s) + "; " + method()
                    + " needs a spatial " + (input.grid().isVolume() ? "N×C×D×H×W" : "N×C×H×W") + " output. "
                    + "Choose a convolutional layer (e.g. the last block before global pooling).");
        }
        int k = (int) s[1];
        LayerData d = new LayerData(channelsFirst(r.activations(), layout, k, grid.size()),
                r.gradients() == null ? null : channelsFirst(r.gradients(), layout, k, grid.size()), k, grid, model,
                input, layer, target, r.targetClass(), r.scores(), options);
        NDArray map = combine(d);
        if (options.relu()) {
            map = Activation.relu(map);
        }
        return Attribution.of(map.toFloatArray(), grid, method(), layer, r.targetClass(), r.scores());
    }

    /**
     * A layer's raw output (batch included) as K×P channels first: channels first as is (the first sample),
     * channels last [1, h, w, K] transposed, tokens [1, T, K] (or [T, 1, K]) without the prefix tokens, transposed.
     */
    static NDArray channelsFirst(NDArray raw, LayerLayout layout, int channels, int positions) {
        switch (layout.kind()) {
            case NHWC:
                return raw.reshape(positions, channels).transpose();
            case TOKENS:
                NDArray tokens = raw.reshape(-1, channels);
                int skip = layout.prefixTokens();
                return tokens.get(new NDIndex("{}:{}", skip, skip + positions)).transpose();
            default:
                return raw.reshape(-1, (long) channels * positions).get(0).reshape(channels, positions);
        }
    }

    /** Σ_k w A^k, with channel or pixel weights: a native vector of P values. */
    NDArray combine(LayerData d) {
        NDArray pw = pixelWeights(d);
        if (pw != null) {
            return pw.mul(d.activations()).sum(CHANNELS);
        }
        NDArray w = channelWeights(d);
        return w.reshape(1, d.channels()).matMul(d.activations()).reshape(d.area());
    }
}
