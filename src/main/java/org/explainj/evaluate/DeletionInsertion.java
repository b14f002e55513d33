package org.explainj.evaluate;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.explainj.explain.BatchedForward;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Options;
import org.explainj.explain.Target;
import org.explainj.explain.TargetScores;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Deletion and insertion curves (Petsiuk, Das and Saenko 2018): pixels ranked by the heatmap, highest first (ties in
 * raster order); after step i of n (i = 0…n) the first floor(i·P/n + 0.5) of the P pixels are changed in every
 * channel — deletion sets them to the baseline, insertion starts from the baseline image (or the image blurred with
 * σ = {@code blur} pixels) and puts the original values back; the score of each of the n + 1 inputs (batched) is the
 * target's softmax probability or its logit; the AUC is the trapezoid rule over the fraction i/n in [0, 1].
 */
public final class DeletionInsertion {

    /** Which curves. */
    public enum Metric {
        DELETION, INSERTION, BOTH;

        public static Metric parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "deletion" -> DELETION;
                case "insertion" -> INSERTION;
                case "both", "" -> BOTH;
                default -> throw new EvaluationException("Unknown metric \"" + s + "\": use deletion, insertion, "
                        + "both or road.");
            };
        }
    }

    /** What the curves record per input. */
    public enum Score {
        PROBABILITY, LOGIT;

        public static Score parse(String s) {
            return switch (s == null ? "" : s.trim().toLowerCase(Locale.ROOT)) {
                case "probability", "" -> PROBABILITY;
                case "logit" -> LOGIT;
                default -> throw new EvaluationException("Unknown score \"" + s + "\": use probability or logit.");
            };
        }
    }

    /**
     * @param steps    n (the curve has n + 1 points)
     * @param baseline the value deleted pixels get, in model-input units
     * @param blur     σ in pixels of insertion's start image; 0: the baseline image
     */
    public record Settings(Metric metric, int steps, double baseline, double blur, Score score) {

        public Settings {
            if (steps < 1) {
                throw new EvaluationException("steps must be 1 or more, got " + steps + ".");
            }
            if (!(blur >= 0)) {
                throw new EvaluationException("blur must be 0 (no blur) or a positive sigma in pixels, got " + blur
                        + ".");
            }
        }
    }

    /** The curves (null when not asked for) and their areas (NaN when not asked for). */
    public record Curves(double[] fractions, double[] deletion, double[] insertion, double deletionAuc,
                         double insertionAuc) {
    }

    private DeletionInsertion() {
    }

    /**
     * Runs the protocol.
     *
     * @param x0          the model-input values at the heatmap's resolution (C × positions), before any resize or
     *                    padding to the model's size
     * @param toModel     turns such values into the model input (identity when the sizes agree)
     * @param map         the heatmap at the same resolution (one value per position)
     * @param options     batch size and progress
     */
    public static Curves run(TorchScriptModel model, ModelInput x0, UnaryOperator<ModelInput> toModel, float[] map,
                             Target target, int targetClass, Settings s, ExplainOptions options) {
        int positions = x0.grid().size();
        if (map.length != positions) {
            throw new EvaluationException("The heatmap has " + map.length + " values but the image " + positions
                    + " pixels.");
        }
        int[] order = PixelOrder.rank(map);
        int n = s.steps();
        double[] fractions = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            fractions[i] = (double) i / n;
        }
        ModelInput probe = toModel.apply(x0);
        java.util.function.Function<NDArray, float[]> score = out -> score(out, target, targetClass, s.score());
        double[] deletion = null;
        double[] insertion = null;
        if (s.metric() != Metric.INSERTION) {
            float[] base = x0.data();
            deletion = curve(model, probe, x0, toModel, order, n, base, (float) s.baseline(), true, target, score,
                    options);
        }
        if (s.metric() != Metric.DELETION) {
            float[] start = new float[x0.data().length];
            if (s.blur() > 0) {
                System.arraycopy(x0.data(), 0, start, 0, start.length);
                org.explainj.tensor.Grid g = x0.grid();
                GaussianBlur.blur(start, x0.channels(), g.isVolume() ? new int[] {g.depth(), g.height(), g.width()}
                        : new int[] {g.height(), g.width()}, s.blur());
            } else {
                java.util.Arrays.fill(start, (float) s.baseline());
            }
            insertion = curve(model, probe, x0, toModel, order, n, start, 0f, false, target, score, options);
        }
        return new Curves(fractions, deletion, insertion, deletion == null ? Double.NaN : auc(deletion),
                insertion == null ? Double.NaN : auc(insertion));
    }

    /** Area under a curve sampled at i/n, i = 0…n (trapezoid rule). */
    public static double auc(double[] y) {
        int n = y.length - 1;
        if (n < 1) {
            return Double.NaN;
        }
        double a = 0;
        for (int i = 0; i < n; i++) {
            a += (y[i] + y[i + 1]) / 2;
        }
        return a / n;
    }

    private static double[] curve(TorchScriptModel model, ModelInput probe, ModelInput x0,
                                  UnaryOperator<ModelInput> toModel, int[] order, int n, float[] start, float baseline,
                                  boolean deleting, Target target, java.util.function.Function<NDArray, float[]> score,
                                  ExplainOptions options) {
        int positions = x0.grid().size();
        int channels = x0.channels();
        float[] original = x0.data();
        float[] s = BatchedForward.scores(model, n + 1, options, probe, target, score, (index, out) -> {
            float[] x = start.clone();
            int changed = PixelOrder.changedAfter(index, n, positions);
            for (int k = 0; k < changed; k++) {
                int p = order[k];
                for (int c = 0; c < channels; c++) {
                    x[c * positions + p] = deleting ? baseline : original[c * positions + p];
                }
            }
            float[] model4 = toModel.apply(x0.withData(x)).data();
            System.arraycopy(model4, 0, out, 0, out.length);
        });
        double[] d = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            d[i] = s[i];
        }
        return d;
    }

    /**
     * The score per sample: the logit (a segmentation class's summed logits, in the region if any), or the softmax
     * probability over the classes (for a segmentation output: the mean over the positions, in the region if any,
     * of each position's probability).
     */
    static float[] score(NDArray out, Target target, int targetClass, Score kind) {
        if (kind == Score.LOGIT) {
            return TargetScores.perSample(out, target, targetClass);
        }
        NDArray p = out.softmax(1);
        if (out.getShape().dimension() == 2) {
            return p.get(":, " + targetClass).toFloatArray();
        }
        Target plain = target.negated(false);
        float[] sums = TargetScores.perSample(p, plain, targetClass);
        long[] shape = out.getShape().getShape();
        double area = 1;
        for (int k = 2; k < shape.length; k++) {
            area *= shape[k];
        }
        if (target.hasRegion()) {
            area = 0;
            for (float v : target.regionAt((int) shape[3], (int) shape[2])) {
                area += v;
            }
        }
        for (int i = 0; i < sums.length; i++) {
            sums[i] = (float) (sums[i] / area);
        }
        return sums;
    }

    /** Options with the batch size (no other option matters here). */
    public static ExplainOptions options(int batchSize, org.explainj.explain.Progress progress) {
        return ExplainOptions.defaults().with(Options.BATCH_SIZE, batchSize).withProgress(progress);
    }
}
