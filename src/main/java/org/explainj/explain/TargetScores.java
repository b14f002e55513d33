package org.explainj.explain;

import org.explainj.model.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The explained score read from a model output: a class logit, or a segmentation class's logits summed (over a
 * region when the target has one; 2-D outputs only); negated for counterfactual targets.
 */
public final class TargetScores {

    private TargetScores() {
    }

    /** Checks the output's shape: [N, classes], [N, classes, H, W] or [N, classes, D, H, W]. */
    static void check(Shape s) {
        if (s.dimension() != 2 && s.dimension() != 4 && s.dimension() != 5) {
            throw new org.explainj.model.ModelException("The model's output has shape " + s + "; ExplainJ explains "
                    + "outputs of shape [1, classes] (classification or regression), [1, classes, H, W] or "
                    + "[1, classes, D, H, W] (segmentation). Wrap the model so that forward returns one of these (e.g. "
                    + "out.unsqueeze(0) for [classes], out.flatten(1) for [1, classes, L]).");
        }
    }

    private static NDArray regionMask(NDArray out, Target target) {
        Shape s = out.getShape();
        if (s.dimension() != 4) {
            throw new MethodException("A region target (a selection or mask) works with 2-D segmentation outputs "
                    + "([1, classes, H, W]); this model outputs " + s + ". Remove the region to explain the class "
                    + "summed over the whole volume.");
        }
        float[] r = target.regionAt((int) s.get(3), (int) s.get(2));
        return HostArrays.floats(out.getManager(), r, new Shape(s.get(2), s.get(3)));
    }

    /** Per-class scores of the first sample (summed over the region for a segmentation output). */
    public static float[] classScores(NDArray out, Target target) {
        check(out.getShape());
        NDArray first = out.get(0);
        if (out.getShape().dimension() == 2) {
            if (target.hasRegion()) {
                throw new MethodException("A region target needs a model whose output is an image "
                        + "([1, classes, H, W]); this model outputs " + out.getShape() + ". Remove the selection or "
                        + "explain a class.");
            }
            return first.toFloatArray();
        }
        if (target.hasRegion()) {
            first = first.mul(regionMask(out, target));
        }
        return first.sum(spatialAxes(first.getShape().dimension() - 1, 1)).toFloatArray();
    }

    /** The axes {@code first .. first+count-1}: the spatial axes of a per-class map. */
    private static int[] spatialAxes(int count, int first) {
        int[] axes = new int[count];
        for (int i = 0; i < count; i++) {
            axes[i] = first + i;
        }
        return axes;
    }

    /** The target score of each sample of a batch. */
    public static float[] perSample(NDArray out, Target target, int targetClass) {
        check(out.getShape());
        NDArray col = out.get(":, " + targetClass);
        if (col.getShape().dimension() > 1) {
            if (target.hasRegion()) {
                col = col.mul(regionMask(out, target));
            }
            col = col.sum(spatialAxes(col.getShape().dimension() - 1, 1));
        }
        float[] s = col.toFloatArray();
        if (target.isNegated()) {
            for (int i = 0; i < s.length; i++) {
                s[i] = -s[i];
            }
        }
        return s;
    }

    /** The sum over a batch of the target scores, as a scalar (one backward gives every sample's gradient). */
    public static NDArray batchSum(NDArray out, Target target, int targetClass) {
        NDArray col = out.get(":, " + targetClass);
        if (col.getShape().dimension() > 1 && target.hasRegion()) {
            col = col.mul(regionMask(out, target));
        }
        NDArray sum = col.sum();
        return target.isNegated() ? sum.neg() : sum;
    }
}
