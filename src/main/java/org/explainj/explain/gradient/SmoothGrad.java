package org.explainj.explain.gradient;

import org.explainj.explain.Options;
import java.util.Random;
import org.explainj.explain.Attribution;
import org.explainj.explain.ChannelReduction;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * SmoothGrad (Smilkov et al. 2017), as Captum's NoiseTunnel around Saliency: the mean over n samples of the
 * gradient at x + ε, ε ~ N(0, σ²), σ = noise·(max(x) − min(x)); |gradient| per sample (Captum's Saliency default),
 * or the signed gradient with {@code signed}. The target class is the one of the clean input. Seeded: the same seed
 * gives the same map. Cost: one forward plus n forward+backward passes, batched.
 *
 * <p>The noise comes from {@link Random} in Java, and each batch of noisy inputs is uploaded to libtorch at once.
 * libtorch's generator is not used: it is one per process (seeding it is global state shared by every thread and
 * every model, while a model's lock only orders the runs of that model), and DJL gives no generator per call, so a
 * run on another model could move the draws and the same seed would no longer give the same map.
 */
public final class SmoothGrad implements Explainer {

    private final float[] fixedNoise;

    public SmoothGrad() {
        this(null);
    }

    /** With given noise (n × C×H×W, already scaled): for comparison with other implementations. */
    SmoothGrad(float[] fixedNoise) {
        this.fixedNoise = fixedNoise;
    }

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        GradientPass.Result clean = GradientPass.resolve(model, input, target);
        float[] x = input.data();
        int sample = x.length;
        int n = fixedNoise != null ? fixedNoise.length / sample : Math.max(1, options.get(Options.SAMPLES));
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double sigma = options.get(Options.NOISE) * (hi - lo);
        Random random = new Random(options.get(Options.SEED));
        boolean signed = options.get(Options.SIGNED);
        double[] sum = new double[sample];
        GradientPass.batchGradients(model, input, target, clean.targetClass(), n, options,
                (index, out) -> {
                    for (int i = 0; i < sample; i++) {
                        float e = fixedNoise != null ? fixedNoise[index * sample + i]
                                : (float) (random.nextGaussian() * sigma);
                        out[i] = x[i] + e;
                    }
                },
                (index, g, off) -> {
                    for (int i = 0; i < sample; i++) {
                        sum[i] += signed ? g[off + i] : Math.abs(g[off + i]);
                    }
                });
        float[] mean = new float[sample];
        for (int i = 0; i < sample; i++) {
            mean[i] = (float) (sum[i] / n);
        }
        return Attribution.of(ChannelReduction.largestMagnitude(mean, input.channels(),
                input.grid().size(), signed), input.grid(), Method.SMOOTH_GRAD, null,
                clean.targetClass(), clean.scores(), java.util.Map.of("samples", (double) n, "sigma", sigma));
    }

    /** The per-channel SmoothGrad (C×H×W) without the channel reduction, for tests against Captum. */
    public static float[] perChannel(TorchScriptModel model, ModelInput input, Target target, float[] noise,
                              boolean signed) {
        GradientPass.Result clean = GradientPass.resolve(model, input, target);
        int sample = input.data().length;
        int n = noise.length / sample;
        double[] sum = new double[sample];
        GradientPass.batchGradients(model, input, target, clean.targetClass(), n, ExplainOptions.defaults(),
                (index, out) -> {
            for (int i = 0; i < sample; i++) {
                out[i] = input.data()[i] + noise[index * sample + i];
            }
        }, (index, g, off) -> {
            for (int i = 0; i < sample; i++) {
                sum[i] += signed ? g[off + i] : Math.abs(g[off + i]);
            }
        });
        float[] mean = new float[sample];
        for (int i = 0; i < sample; i++) {
            mean[i] = (float) (sum[i] / n);
        }
        return mean;
    }
}
