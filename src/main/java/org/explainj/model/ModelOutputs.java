package org.explainj.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of a model's outputs is explained. A forward may return one tensor, a tuple or list of tensors, or a dict
 * (torchvision's segmentation models return {@code {"out": ..., "aux": ...}}). The key {@code output=} names a dict
 * key or a tuple index; by default a dict's {@code out} (else {@code logits}, {@code output} or {@code scores}, else its
 * only [N, classes] entry, else its only entry with a class axis), and for a tuple the first [N, classes] tensor, else the first segmentation map [N, classes, (D,) H, W].
 */
public final class ModelOutputs {

    /** Dict keys that hold the scores, in order of preference (torchvision's segmentation models use out). */
    static final List<String> USUAL_KEYS = List.of("out", "logits", "output", "scores");

    private ModelOutputs() {
    }

    /** The outputs in order with their names (dict keys in key order, or "0", "1", ... for a tuple). */
    record Named(List<NDArray> arrays, List<String> names, boolean dict) {
    }

    /** Picks the output to explain; {@code requested} null or blank for the default. */
    static int select(Named outs, String requested) {
        int n = outs.arrays().size();
        if (n == 0) {
            throw new ModelException("The model's forward returns no tensor, so there is nothing to explain.");
        }
        if (requested != null && !requested.isBlank()) {
            String r = requested.trim();
            int i = outs.names().indexOf(r);
            if (i >= 0) {
                return i;
            }
            if (n == 1 && (r.equals("0") || r.equals("out"))) {
                return 0;
            }
            throw new ModelException("The model has no output \"" + r + "\": its forward returns " + describe(outs)
                    + ". Set output= to " + (outs.dict() ? "one of the keys" : "an index from 0 to " + (n - 1))
                    + ".");
        }
        if (n == 1) {
            return 0;
        }
        if (outs.dict()) {
            for (String usual : USUAL_KEYS) {
                int out = outs.names().indexOf(usual);
                if (out >= 0) {
                    return out;
                }
            }
            List<Integer> scores = new ArrayList<>();
            List<Integer> candidates = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (outs.arrays().get(i).getShape().dimension() == 2) {
                    scores.add(i);
                }
                if (hasClassAxis(outs.arrays().get(i))) {
                    candidates.add(i);
                }
            }
            if (scores.size() == 1) {
                return scores.get(0);
            }
            if (candidates.size() == 1) {
                return candidates.get(0);
            }
            throw new ModelException("The model's forward returns " + describe(outs) + ", so ExplainJ cannot tell "
                    + "which entry holds the class scores. Set output= to one of the keys (e.g. output="
                    + outs.names().get(candidates.isEmpty() ? 0 : candidates.get(0)) + ").");
        }
        for (int i = 0; i < n; i++) {
            if (outs.arrays().get(i).getShape().dimension() == 2) {
                return i;
            }
        }
        for (int i = 0; i < n; i++) {
            if (hasClassAxis(outs.arrays().get(i))) {
                return i;
            }
        }
        throw new ModelException("The model's forward returns " + describe(outs) + " and none has the shape "
                + "[1, classes] or [1, classes, H, W]. Set output= to the index of the scores, or wrap the model so "
                + "that forward returns them as one tensor.");
    }

    private static boolean hasClassAxis(NDArray a) {
        int d = a.getShape().dimension();
        return d == 2 || d == 4 || d == 5;
    }

    /** E.g. {@code a dict with keys aux (1, 3, 64, 64), out (1, 3, 64, 64)} or {@code a tuple of 2 tensors ...}. */
    static String describe(Named outs) {
        StringBuilder sb = new StringBuilder(outs.dict() ? "a dict with keys " : outs.arrays().size() == 1
                ? "one tensor " : "a tuple of " + outs.arrays().size() + " tensors ");
        for (int i = 0; i < outs.arrays().size(); i++) {
            sb.append(i == 0 ? "" : ", ");
            if (outs.dict()) {
                sb.append(outs.names().get(i)).append(' ');
            } else if (outs.arrays().size() > 1) {
                sb.append(i).append(": ");
            }
            sb.append(outs.arrays().get(i).getShape());
        }
        return sb.toString();
    }

    /** How the chosen output is named for the heatmap's Info, or null when the model has one output. */
    static String label(Named outs, int index) {
        if (outs.arrays().size() <= 1) {
            return null;
        }
        return outs.dict() ? "output \"" + outs.names().get(index) + "\"" : "output " + index + " of "
                + outs.arrays().size();
    }
}
