package org.explainj.explain;

import org.explainj.model.LayerLayout;

/**
 * Method options (each method reads the ones it uses).
 *
 * @param layer         layer methods: module path (null or blank: the model's default layer)
 * @param signed        gradient methods: keep the sign of the per-pixel value instead of |·|
 * @param relu          CAM methods: apply the final ReLU (the papers do); false keeps negative evidence
 * @param camWeights    CAM: name of the classifier weight parameter (null: found automatically)
 * @param batchSize     Score-CAM, SmoothGrad, Integrated Gradients, Occlusion: inputs per forward pass
 * @param samples       SmoothGrad: number of noisy samples
 * @param noise         SmoothGrad: noise standard deviation as a fraction of the input's (max − min)
 * @param seed          SmoothGrad: random seed (the same seed gives the same map)
 * @param steps         Integrated Gradients: number of steps
 * @param integration   Integrated Gradients: {@code gausslegendre} (Captum's default), {@code riemann_right},
 *                      {@code riemann_left}, {@code riemann_middle}, {@code riemann_trapezoid}
 * @param baseline      Integrated Gradients and Occlusion: the baseline value (in model-input units)
 * @param window        Occlusion: window side in pixels
 * @param stride        Occlusion: stride in pixels
 * @param nearest       Guided Grad-CAM: upsample the Grad-CAM factor by nearest neighbour (Captum's default)
 *                      instead of bilinearly
 * @param layout        layer methods: how the layer holds channels and positions (null: found from its shape),
 *                      see {@link LayerLayout}
 * @param prefixTokens  layer methods on token layers: tokens before the patches (-1: found from the shapes)
 * @param progress      progress reports and cancellation
 */
public record ExplainOptions(String layer, boolean signed, boolean relu, String camWeights,
                             int batchSize, int samples, double noise, long seed, int steps, String integration,
                             double baseline, int window, int stride, boolean nearest, LayerLayout.Kind layout,
                             int prefixTokens, Progress progress) {

    public static ExplainOptions defaults() {
        return new ExplainOptions(null, false, true, null, 32, 25, 0.15, 1234, 50, "gausslegendre", 0, 8, 4,
                true, null, -1, Progress.NONE);
    }

    public ExplainOptions withLayer(String v) {
        return new ExplainOptions(v, signed, relu, camWeights, batchSize, samples, noise, seed, steps,
                integration, baseline, window, stride, nearest, layout, prefixTokens, progress);
    }

    public ExplainOptions withSigned(boolean v) {
        return new ExplainOptions(layer, v, relu, camWeights, batchSize, samples, noise, seed, steps,
                integration, baseline, window, stride, nearest, layout, prefixTokens, progress);
    }

    public ExplainOptions withRelu(boolean v) {
        return new ExplainOptions(layer, signed, v, camWeights, batchSize, samples, noise, seed, steps,
                integration, baseline, window, stride, nearest, layout, prefixTokens, progress);
    }

    public ExplainOptions withCamWeights(String v) {
        return new ExplainOptions(layer, signed, relu, v, batchSize, samples, noise, seed, steps,
                integration, baseline, window, stride, nearest, layout, prefixTokens, progress);
    }

    public ExplainOptions withBatchSize(int v) {
        return new ExplainOptions(layer, signed, relu, camWeights, v, samples, noise, seed, steps,
                integration, baseline, window, stride, nearest, layout, prefixTokens, progress);
    }

    public ExplainOptions withSmoothGrad(int n, double sigma, long s) {
        return new ExplainOptions(layer, signed, relu, camWeights, batchSize, n, sigma, s, steps,
                integration, baseline, window, stride, nearest, layout, prefixTokens, progress);
    }

    public ExplainOptions withIntegration(int n, String rule, double base) {
        return new ExplainOptions(layer, signed, relu, camWeights, batchSize, samples, noise, seed, n,
                rule, base, window, stride, nearest, layout, prefixTokens, progress);
    }

    public ExplainOptions withOcclusion(int w, int s, double base) {
        return new ExplainOptions(layer, signed, relu, camWeights, batchSize, samples, noise, seed,
                steps, integration, base, w, s, nearest, layout, prefixTokens, progress);
    }

    public ExplainOptions withNearest(boolean v) {
        return new ExplainOptions(layer, signed, relu, camWeights, batchSize, samples, noise, seed,
                steps, integration, baseline, window, stride, v, layout, prefixTokens, progress);
    }

    /** Layer methods: the layer's layout (null: automatic) and its prefix tokens (-1: automatic). */
    public ExplainOptions withLayout(LayerLayout.Kind l, int prefix) {
        return new ExplainOptions(layer, signed, relu, camWeights, batchSize, samples, noise, seed,
                steps, integration, baseline, window, stride, nearest, l, prefix, progress);
    }

    public ExplainOptions withProgress(Progress p) {
        return new ExplainOptions(layer, signed, relu, camWeights, batchSize, samples, noise, seed,
                steps, integration, baseline, window, stride, nearest, layout, prefixTokens, p == null ? Progress.NONE : p);
    }
}
