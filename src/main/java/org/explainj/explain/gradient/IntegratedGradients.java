package org.explainj.explain.gradient;

import org.explainj.explain.Options;
import java.util.Arrays;
import java.util.Map;
import org.explainj.explain.Attribution;
import org.explainj.explain.ChannelReduction;
import org.explainj.explain.BatchedForward;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.MethodException;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Integrated Gradients (Sundararajan et al. 2017), as Captum: (x − b) ⊙ Σ_i w_i ∇f(b + α_i (x − b)) with a
 * constant baseline b (in model-input units; 0 by default) and the nodes α_i and weights w_i of the chosen rule
 * (Gauss–Legendre by default, as Captum). Completeness: Σ attribution ≈ f(x) − f(b); the error is reported as the
 * diagnostic {@code completeness_error}. Cost: two forwards (input, baseline) plus n forward+backward passes,
 * batched.
 */
public final class IntegratedGradients implements Explainer {

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        GradientPass.Result clean = GradientPass.resolve(model, input, target);
        float[] attr = attribute(model, input, target, options, clean.targetClass());
        double total = 0;
        for (float v : attr) {
            total += v;
        }
        float base = options.get(Options.BASELINE).floatValue();
        float[] fb = BatchedForward.targetScores(model, 1, options, input, target, clean.targetClass(),
                (i, out) -> Arrays.fill(out, base));
        double fx = GradientPass.targetScore(clean, target);
        double delta = total - (fx - fb[0]);
        return Attribution.of(ChannelReduction.largestMagnitude(attr, input.channels(),
                input.grid().size(), options.get(Options.SIGNED)), input.grid(),
                Method.INTEGRATED_GRADIENTS, null, clean.targetClass(), clean.scores(),
                Map.of("completeness_error", delta, "attribution_sum", total, "score_difference", fx - fb[0],
                        "steps", (double) options.get(Options.STEPS)));
    }

    /** The attribution per input value (C×H×W). */
    public static float[] attribute(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        return attribute(model, input, target, options, GradientPass.resolve(model, input, target).targetClass());
    }

    private static float[] attribute(TorchScriptModel model, ModelInput input, Target target,
                                     ExplainOptions options, int targetClass) {
        int n = options.get(Options.STEPS);
        double[][] rule = rule(IntegrationRule.parse(options.get(Options.INTEGRATION)), n);
        double[] alphas = rule[0];
        double[] weights = rule[1];
        float[] x = input.data();
        float b = options.get(Options.BASELINE).floatValue();
        double[] sum = new double[x.length];
        GradientPass.batchGradients(model, input, target, targetClass, n, options,
                (i, out) -> {
                    float a = (float) alphas[i];
                    for (int j = 0; j < x.length; j++) {
                        out[j] = b + a * (x[j] - b);
                    }
                },
                (i, g, off) -> {
                    double w = weights[i];
                    for (int j = 0; j < x.length; j++) {
                        sum[j] += w * g[off + j];
                    }
                });
        float[] attr = new float[x.length];
        for (int j = 0; j < x.length; j++) {
            attr[j] = (float) ((x[j] - b) * sum[j]);
        }
        return attr;
    }

    /** Nodes and weights on [0, 1] of an integration rule with n points (Captum's definitions). */
    static double[][] rule(IntegrationRule rule, int n) {
        if (n < 2) {
            throw new MethodException("Integrated Gradients needs at least 2 steps, got " + n + ".");
        }
        double[] a = new double[n];
        double[] w = new double[n];
        if (rule == IntegrationRule.GAUSS_LEGENDRE) {
            double[][] gl = gaussLegendre(n);
            for (int i = 0; i < n; i++) {
                a[i] = 0.5 * (gl[0][i] + 1);
                w[i] = 0.5 * gl[1][i];
            }
        } else {
            double start = rule == IntegrationRule.RIEMANN_RIGHT ? 1.0 / n
                    : rule == IntegrationRule.RIEMANN_MIDDLE ? 1.0 / (2 * n) : 0;
            double end = rule == IntegrationRule.RIEMANN_LEFT ? 1 - 1.0 / n
                    : rule == IntegrationRule.RIEMANN_MIDDLE ? 1 - 1.0 / (2 * n) : 1;
            float[] lin = linspace32((float) start, (float) end, n);
            for (int i = 0; i < n; i++) {
                w[i] = 1.0 / n;
                a[i] = lin[i];
            }
            if (rule == IntegrationRule.RIEMANN_TRAPEZOID) {
                w[0] /= 2;
                w[n - 1] /= 2;
            }
        }
        return new double[][] {a, w};
    }

    /** torch.linspace in float32 (Captum takes the Riemann nodes from it), bit for bit. */
    static float[] linspace32(float start, float end, int n) {
        float step = (end - start) / (n - 1);
        float[] v = new float[n];
        int half = n / 2;
        for (int i = 0; i < n; i++) {
            v[i] = i < half ? start + step * i : end - step * (n - i - 1);
        }
        return v;
    }

    /** Gauss–Legendre nodes (ascending) and weights on [−1, 1], by Newton's method on P_n. */
    static double[][] gaussLegendre(int n) {
        double[] x = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++) {
            double z = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double pp = 0;
            for (int it = 0; it < 100; it++) {
                double p1 = 1;
                double p2 = 0;
                for (int j = 1; j <= n; j++) {
                    double p3 = p2;
                    p2 = p1;
                    p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
                }
                pp = n * (z * p1 - p2) / (z * z - 1);
                double z1 = z;
                z = z1 - p1 / pp;
                if (Math.abs(z - z1) < 1e-15) {
                    break;
                }
            }
            x[i] = -z;
            x[n - 1 - i] = z;
            w[i] = 2 / ((1 - z * z) * pp * pp);
            w[n - 1 - i] = w[i];
        }
        return new double[][] {x, w};
    }
}
