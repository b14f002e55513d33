package org.explainj.explain;

import java.util.Locale;

/** Which output score is explained: the top-1 class or a given class index (0-based, as in PyTorch). */
public record Target(int classIndex) {

    /** The class with the largest logit. */
    public static final Target TOP = new Target(-1);

    public static Target index(int c) {
        if (c < 0) {
            throw new MethodException("A class index must be 0 or larger, got " + c + ".");
        }
        return new Target(c);
    }

    public boolean isTop() {
        return classIndex < 0;
    }

    /** Parses {@code top} or a class index. */
    public static Target parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        if (k.isEmpty() || k.equals("top") || k.equals("top1") || k.equals("top-1")) {
            return TOP;
        }
        try {
            return index(Integer.parseInt(k));
        } catch (NumberFormatException e) {
            throw new MethodException("The target must be \"top\" or a class index (0, 1, 2...), got \"" + s
                    + "\".");
        }
    }

    /** Resolves the class index against the model's output scores. */
    public int resolve(float[] scores) {
        if (isTop()) {
            int best = 0;
            for (int i = 1; i < scores.length; i++) {
                if (scores[i] > scores[best]) {
                    best = i;
                }
            }
            return best;
        }
        if (classIndex >= scores.length) {
            throw new MethodException("Class index " + classIndex + " is out of range: the model has "
                    + scores.length + " classes (0.." + (scores.length - 1) + ").");
        }
        return classIndex;
    }

    @Override
    public String toString() {
        return isTop() ? "top" : Integer.toString(classIndex);
    }
}
