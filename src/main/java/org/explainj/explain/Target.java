package org.explainj.explain;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What is explained: a class (the top-1 class, an index, or a name from the model's labels), optionally negated
 * (counterfactual: evidence against the class; for a regression output, what lowers it), and for models whose output
 * is an image (segmentation, [1, classes, H, W]) the class's logits summed inside a region (a mask at any size,
 * resampled to the output's size; none = the whole output). For a model with several outputs (a dict or tuple), which
 * output is read ({@code output}: a dict key or tuple index; null for the default).
 */
public final class Target {

    /** The class with the largest score. */
    public static final Target TOP = new Target(-1, null, false, null, 0, 0, null);

    private final int classIndex;
    private final String className;
    private final boolean negated;
    private final float[] region;
    private final int regionWidth;
    private final int regionHeight;
    private final String output;

    private Target(int classIndex, String className, boolean negated, float[] region, int regionWidth,
                   int regionHeight, String output) {
        this.classIndex = classIndex;
        this.className = className;
        this.negated = negated;
        this.region = region;
        this.regionWidth = regionWidth;
        this.regionHeight = regionHeight;
        this.output = output == null || output.isBlank() ? null : output.trim();
    }

    public static Target index(int c) {
        if (c < 0) {
            throw new MethodException("A class index must be 0 or larger, got " + c + ".");
        }
        return new Target(c, null, false, null, 0, 0, null);
    }

    /** A class by its name in the model's labels. */
    public static Target named(String name) {
        return new Target(-1, name.trim(), false, null, 0, 0, null);
    }

    /** Parses {@code top}, a class index, or a class name. */
    public static Target parse(String s) {
        String k = s == null ? "" : s.trim();
        String lower = k.toLowerCase(Locale.ROOT);
        if (k.isEmpty() || lower.equals("top") || lower.equals("top1") || lower.equals("top-1")) {
            return TOP;
        }
        try {
            return index(Integer.parseInt(k));
        } catch (NumberFormatException e) {
            return named(k);
        }
    }

    /** The same target with the score negated. */
    public Target negated(boolean negate) {
        return new Target(classIndex, className, negate, region, regionWidth, regionHeight, output);
    }

    /** The same target restricted to a region (1 inside, 0 outside; any size, resampled to the output's). */
    public Target inRegion(float[] mask, int width, int height) {
        if (mask.length != width * height) {
            throw new IllegalArgumentException("mask size");
        }
        boolean any = false;
        for (float v : mask) {
            any |= v != 0;
        }
        if (!any) {
            throw new MethodException("The target region is empty: draw a selection (or give a mask) that covers "
                    + "part of the image.");
        }
        return new Target(classIndex, className, negated, mask.clone(), width, height, output);
    }

    /** This target's class with another target's region (none when that one has none). */
    public Target inRegionOf(Target other) {
        return new Target(classIndex, className, negated, other.region, other.regionWidth, other.regionHeight,
                output);
    }

    /** The same target read from another of the model's outputs (a dict key or tuple index; null: the default). */
    public Target fromOutput(String key) {
        return new Target(classIndex, className, negated, region, regionWidth, regionHeight, key);
    }

    /** The model output this target reads, or null for the default ({@code out} of a dict, the scores of a tuple). */
    public String output() {
        return output;
    }

    /** Whether the class is given by name (resolved against labels). */
    public boolean isNamed() {
        return className != null;
    }

    public boolean isTop() {
        return classIndex < 0 && className == null;
    }

    public int classIndex() {
        return classIndex;
    }

    public boolean isNegated() {
        return negated;
    }

    public boolean hasRegion() {
        return region != null;
    }

    /** The region resampled (nearest) to an output of the given size. */
    public float[] regionAt(int w, int h) {
        if (region == null) {
            return null;
        }
        float[] r = new float[w * h];
        for (int y = 0; y < h; y++) {
            int sy = Math.min((int) ((y + 0.5) * regionHeight / h), regionHeight - 1);
            for (int x = 0; x < w; x++) {
                int sx = Math.min((int) ((x + 0.5) * regionWidth / w), regionWidth - 1);
                r[y * w + x] = region[sy * regionWidth + sx];
            }
        }
        return r;
    }

    /** Resolves the class index against the class scores and the model's labels (may be empty). */
    public int resolve(float[] scores, List<String> labels) {
        if (className != null) {
            for (int i = 0; i < labels.size(); i++) {
                if (labels.get(i).trim().equalsIgnoreCase(className)) {
                    return checkRange(i, scores);
                }
            }
            if (labels.isEmpty()) {
                throw new MethodException("The target \"" + className + "\" is a class name, but the model has no "
                        + "labels. Put a labels file (one class name per line) beside the model as <model>.labels.txt "
                        + "or labels.txt, or give a class index.");
            }
            throw new MethodException("The model's labels have no class \"" + className + "\". Classes: "
                    + String.join(", ", labels.subList(0, Math.min(20, labels.size())))
                    + (labels.size() > 20 ? "..." : "") + ".");
        }
        if (classIndex < 0) {
            int best = 0;
            for (int i = 1; i < scores.length; i++) {
                if (scores[i] > scores[best]) {
                    best = i;
                }
            }
            return best;
        }
        return checkRange(classIndex, scores);
    }

    private static int checkRange(int c, float[] scores) {
        if (scores != null && c >= scores.length) {
            throw new MethodException("Class index " + c + " is out of range: the model has " + scores.length
                    + " classes (0.." + (scores.length - 1) + ").");
        }
        return c;
    }

    @Override
    public String toString() {
        String base = className != null ? className : classIndex < 0 ? "top" : Integer.toString(classIndex);
        return (negated ? "-" : "") + base + (region != null ? " in region" : "")
                + (output != null ? " of output " + output : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && t.classIndex == classIndex && java.util.Objects.equals(t.className, className)
                && t.negated == negated && Arrays.equals(t.region, region)
                && java.util.Objects.equals(t.output, output);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(classIndex, className, negated, Arrays.hashCode(region), output);
    }
}
