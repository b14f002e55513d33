package org.explainj.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The explanation methods, with the names used in menus and macros. {@link #available()} tells which this version
 * computes; the others are named here so that macros written for later versions get a clear message.
 */
public enum Method {
    SALIENCY("Saliency", true, false),
    GRAD_CAM("Grad-CAM", true, true),
    GUIDED_BACKPROP("Guided Backprop", true, false),
    DECONVNET("Deconvnet", true, false),
    CAM("CAM", true, true),
    GRAD_CAM_PLUS_PLUS("Grad-CAM++", true, true),
    GUIDED_GRAD_CAM("Guided Grad-CAM", true, true),
    HIRES_CAM("HiResCAM", true, true),
    XGRAD_CAM("XGradCAM", true, true),
    LAYER_CAM("LayerCAM", true, true),
    SCORE_CAM("Score-CAM", true, true),
    EIGEN_CAM("EigenCAM", true, true),
    SMOOTH_GRAD("SmoothGrad", true, false),
    INTEGRATED_GRADIENTS("Integrated Gradients", true, false),
    INPUT_X_GRADIENT("Input x Gradient", true, false),
    OCCLUSION("Occlusion", true, false);

    private final String label;
    private final boolean available;
    private final boolean usesLayer;

    Method(String label, boolean available, boolean usesLayer) {
        this.label = label;
        this.available = available;
        this.usesLayer = usesLayer;
    }

    /** The name in menus and macros, e.g. {@code Grad-CAM}. */
    public String label() {
        return label;
    }

    public boolean available() {
        return available;
    }

    /** Whether the method explains a layer's activations (and so needs a layer name). */
    public boolean usesLayer() {
        return usesLayer;
    }

    /** Labels of the methods this version computes. */
    public static List<String> availableLabels() {
        List<String> l = new ArrayList<>();
        for (Method m : values()) {
            if (m.available) {
                l.add(m.label);
            }
        }
        return l;
    }

    /** Parses a method name (case and spaces/dashes ignored); the message lists the valid names. */
    public static Method parse(String name) {
        String k = normalize(name);
        for (Method m : values()) {
            if (normalize(m.label).equals(k)) {
                if (!m.available) {
                    throw new MethodException("The method " + m.label + " is not available in this version of "
                            + "ExplainJ. Available: " + String.join(", ", availableLabels()) + ".");
                }
                return m;
            }
        }
        throw new MethodException("Unknown method \"" + name + "\". Available: "
                + String.join(", ", availableLabels()) + ".");
    }

    private static String normalize(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-]", "");
    }

    @Override
    public String toString() {
        return label;
    }
}
