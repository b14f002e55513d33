package org.explainj.explain.perturb;

import org.explainj.explain.Options;
import org.explainj.explain.Attribution;
import org.explainj.explain.BatchedForward;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.GradientPass;
import org.explainj.explain.Method;
import org.explainj.explain.MethodException;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ModelInput;

/**
 * Occlusion (Zeiler &amp; Fergus 2014), as Captum: a window×window square (all channels; a window³ cube for 3-D
 * models) slides with the given stride; each pixel gets the mean, over the windows covering it, of f(x) − f(x with
 * the window set to the baseline).
 * Pixels no window covers get 0. Cost: one forward plus one per window position, batched.
 */
public final class Occlusion implements Explainer {

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        int win = options.get(Options.WINDOW);
        int stride = options.get(Options.STRIDE);
        Grid g = input.grid();
        int w = g.width();
        int h = g.height();
        int d = g.slices();
        int side = g.isVolume() ? Math.min(Math.min(w, h), d) : Math.min(w, h);
        if (win < 1 || stride < 1 || win > side) {
            throw new MethodException("Occlusion needs 1 ≤ window ≤ image side" + (g.isVolume() ? " (the window is a "
                    + "cube: also ≤ the number of slices, " + g.depth() + ")" : "") + " and stride ≥ 1; got window="
                    + win + " stride=" + stride + " for a " + g + " input.");
        }
        int winZ = g.isVolume() ? win : 1;
        int nx = (w - win) / stride + 1;
        int ny = (h - win) / stride + 1;
        int nz = g.isVolume() ? (d - win) / stride + 1 : 1;
        GradientPass.Result clean = GradientPass.resolve(model, input, target);
        double fx = GradientPass.targetScore(clean, target);
        float base = options.get(Options.BASELINE).floatValue();
        int plane = w * h;
        int volume = g.size();
        int c = input.channels();
        float[] scores = BatchedForward.targetScores(model, nx * ny * nz, options, input, target,
                clean.targetClass(), (i, out) -> {
                    System.arraycopy(input.data(), 0, out, 0, out.length);
                    int x0 = (i % nx) * stride;
                    int y0 = (i / nx % ny) * stride;
                    int z0 = (i / (nx * ny)) * stride;
                    for (int ch = 0; ch < c; ch++) {
                        for (int z = z0; z < z0 + winZ; z++) {
                            for (int y = y0; y < y0 + win; y++) {
                                int row = ch * volume + z * plane + y * w;
                                java.util.Arrays.fill(out, row + x0, row + x0 + win, base);
                            }
                        }
                    }
                });
        double[] sum = new double[volume];
        int[] count = new int[volume];
        for (int i = 0; i < nx * ny * nz; i++) {
            double diff = fx - scores[i];
            int x0 = (i % nx) * stride;
            int y0 = (i / nx % ny) * stride;
            int z0 = (i / (nx * ny)) * stride;
            for (int z = z0; z < z0 + winZ; z++) {
                for (int y = y0; y < y0 + win; y++) {
                    for (int x = x0; x < x0 + win; x++) {
                        sum[z * plane + y * w + x] += diff;
                        count[z * plane + y * w + x]++;
                    }
                }
            }
        }
        float[] map = new float[volume];
        for (int i = 0; i < volume; i++) {
            float v = count[i] == 0 ? 0f : (float) (sum[i] / count[i]);
            map[i] = options.get(Options.SIGNED) ? v : Math.abs(v);
        }
        return Attribution.of(map, g, Method.OCCLUSION, null, clean.targetClass(), clean.scores(),
                java.util.Map.of("windows", (double) (nx * ny * nz)));
    }
}
