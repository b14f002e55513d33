package org.explainj.explain.perturb;

import org.explainj.explain.Attribution;
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
 * Occlusion (Zeiler &amp; Fergus 2014), as Captum: a window×window square (all channels) slides with the given stride;
 * each pixel gets the mean, over the windows covering it, of f(x) − f(x with the window set to the baseline).
 * Pixels no window covers get 0. Cost: one forward plus one per window position, batched.
 */
public final class Occlusion implements Explainer {

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        int win = options.window();
        int stride = options.stride();
        int w = input.width();
        int h = input.height();
        if (win < 1 || stride < 1 || win > Math.min(w, h)) {
            throw new MethodException("Occlusion needs 1 ≤ window ≤ image side and stride ≥ 1; got window=" + win
                    + " stride=" + stride + " for a " + w + "x" + h + " input.");
        }
        int nx = (w - win) / stride + 1;
        int ny = (h - win) / stride + 1;
        GradientPass.Result clean = GradientPass.resolve(model, input, target);
        double fx = GradientPass.targetScore(clean, target);
        float base = (float) options.baseline();
        int plane = w * h;
        int c = input.channels();
        float[] scores = BatchedForward.targetScores(model, nx * ny, options, input, target,
                clean.targetClass(), (i, out) -> {
                    System.arraycopy(input.data(), 0, out, 0, out.length);
                    int x0 = (i % nx) * stride;
                    int y0 = (i / nx) * stride;
                    for (int ch = 0; ch < c; ch++) {
                        for (int y = y0; y < y0 + win; y++) {
                            java.util.Arrays.fill(out, ch * plane + y * w + x0, ch * plane + y * w + x0 + win, base);
                        }
                    }
                });
        double[] sum = new double[plane];
        int[] count = new int[plane];
        for (int i = 0; i < nx * ny; i++) {
            double diff = fx - scores[i];
            int x0 = (i % nx) * stride;
            int y0 = (i / nx) * stride;
            for (int y = y0; y < y0 + win; y++) {
                for (int x = x0; x < x0 + win; x++) {
                    sum[y * w + x] += diff;
                    count[y * w + x]++;
                }
            }
        }
        float[] map = new float[plane];
        for (int i = 0; i < plane; i++) {
            float v = count[i] == 0 ? 0f : (float) (sum[i] / count[i]);
            map[i] = options.signed() ? v : Math.abs(v);
        }
        return Attribution.of(map, w, h, Method.OCCLUSION, null, clean.targetClass(), clean.scores(),
                java.util.Map.of("windows", (double) (nx * ny)));
    }
}
