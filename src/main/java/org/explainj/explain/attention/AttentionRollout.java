package org.explainj.explain.attention;

import java.util.ArrayList;
import java.util.List;
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
 * Attention rollout (Abnar &amp; Zuidema 2020) for ViT-style models: per attention layer, in the order the forward
 * runs them, the attention probabilities averaged over heads, plus the identity (the residual connection), each row
 * renormalised to sum 1: Â = (A + I) / 2 per row; the rollout R = Â_L · … · Â_1. The map is the class token's row of
 * R over the patch tokens, on the patch grid. It explains what the class token attends to, not a class: the same map
 * for every target. The attention probabilities are the softmax outputs of the prepared copy's attention (global,
 * [heads, T, T] over all tokens); windowed attention (Swin) is refused.
 */
public final class AttentionRollout implements Explainer {

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        if (input.grid().isVolume()) {
            throw new LayerException("Attention Rollout explains 2-D vision transformers; this is a 3-D model.");
        }
        LayerPass.Attention att = LayerPass.attention(model, input, target);
        List<float[]> maps = new ArrayList<>();
        int tokens = -1;
        for (LayerPass.Attention.Probabilities p : att.layers()) {
            long[] s = p.shape();
            int t = (int) s[s.length - 1];
            boolean global = s.length == 3 || (s.length == 4 && s[0] == 1);
            if (!global) {
                throw new LayerException("Attention Rollout needs attention over all tokens (ViT style); "
                        + model.source().getFileName() + " computes attention in " + s[0] + " windows ("
                        + java.util.Arrays.toString(s) + ", Swin style), which rollout does not define. Use Grad-CAM "
                        + "at a stage instead.");
            }
            if (tokens >= 0 && t != tokens) {
                throw new LayerException("Attention Rollout needs every attention layer over the same tokens; "
                        + model.source().getFileName() + " has layers over " + tokens + " and " + t + " tokens.");
            }
            tokens = t;
            maps.add(headMean(p.values(), t));
        }
        if (maps.isEmpty()) {
            throw new LayerException("Attention Rollout found no attention probabilities (softmax over tokens) in "
                    + model.source().getFileName() + ": it works on vision transformers (ViT, DeiT).");
        }
        LayerLayout grid = LayerLayout.detect(new long[] {1, tokens, 1}, input.shape(), LayerLayout.Kind.TOKENS,
                options.prefixTokens(), true, null, "attention");
        // row 0 of R = Â_L ··· Â_1 is e0ᵀ Â_L ··· Â_1: a row vector through the layers from the last
        double[] row = new double[tokens];
        row[0] = 1;
        for (int l = maps.size() - 1; l >= 0; l--) {
            row = times(row, residual(maps.get(l), tokens), tokens);
        }
        int p = grid.prefixTokens();
        float[] map = new float[grid.height() * grid.width()];
        for (int i = 0; i < map.length; i++) {
            map[i] = (float) row[p + i]; // the class token's row, patch columns
        }
        // "layer": the map is at the patch grid's resolution, like a layer map (layer_resolution keeps it there)
        return Attribution.of(map, Grid.plane(grid.width(), grid.height()), Method.ATTENTION_ROLLOUT,
                "attention (" + maps.size() + " layers)", att.targetClass(), att.scores());
    }

    /** The head mean of probabilities [heads, T, T] (or [1, heads, T, T]): T×T. */
    static float[] headMean(float[] v, int t) {
        int heads = v.length / (t * t);
        float[] m = new float[t * t];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < t * t; i++) {
                m[i] += v[h * t * t + i];
            }
        }
        for (int i = 0; i < m.length; i++) {
            m[i] /= heads;
        }
        return m;
    }

    /** (A + I) / 2 with every row renormalised to sum 1. */
    static double[] residual(float[] a, int t) {
        double[] r = new double[t * t];
        for (int i = 0; i < t; i++) {
            double sum = 0;
            for (int j = 0; j < t; j++) {
                r[i * t + j] = (a[i * t + j] + (i == j ? 1.0 : 0.0)) / 2;
                sum += r[i * t + j];
            }
            for (int j = 0; j < t; j++) {
                r[i * t + j] /= sum;
            }
        }
        return r;
    }

    /** v · a for a row vector v and a t×t matrix a. */
    static double[] times(double[] v, double[] a, int t) {
        double[] out = new double[t];
        for (int k = 0; k < t; k++) {
            double vk = v[k];
            if (vk == 0) {
                continue;
            }
            for (int j = 0; j < t; j++) {
                out[j] += vk * a[k * t + j];
            }
        }
        return out;
    }
}
