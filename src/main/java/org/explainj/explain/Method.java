package org.explainj.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The explanation methods, with the names used in menus and macros, and their cost in passes through the network.
 */
public enum Method {
    SALIENCY("Saliency", false),
    GRAD_CAM("Grad-CAM", true),
    GUIDED_BACKPROP("Guided Backprop", false),
    DECONVNET("Deconvnet", false),
    CAM("CAM", true),
    GRAD_CAM_PLUS_PLUS("Grad-CAM++", true),
    GUIDED_GRAD_CAM("Guided Grad-CAM", true),
    HIRES_CAM("HiResCAM", true),
    XGRAD_CAM("XGradCAM", true),
    LAYER_CAM("LayerCAM", true),
    SCORE_CAM("Score-CAM", true),
    EIGEN_CAM("EigenCAM", true),
    SMOOTH_GRAD("SmoothGrad", false),
    INTEGRATED_GRADIENTS("Integrated Gradients", false),
    INPUT_X_GRADIENT("Input x Gradient", false),
    OCCLUSION("Occlusion", false),
    ATTENTION_ROLLOUT("Attention Rollout", false);

    private final String label;
    private final boolean usesLayer;

    Method(String label, boolean usesLayer) {
        this.label = label;
        this.usesLayer = usesLayer;
    }

    /** The name in menus and macros, e.g. {@code Grad-CAM}. */
    public String label() {
        return label;
    }

    /** Whether the method explains a layer's activations (and so needs a layer name). */
    public boolean usesLayer() {
        return usesLayer;
    }

    /** The labels of all methods, in menu order. */
    public static List<String> labels() {
        List<String> l = new ArrayList<>();
        for (Method m : values()) {
            l.add(m.label);
        }
        return l;
    }

    /** Parses a method name (case and spaces/dashes ignored); the message lists the valid names. */
    public static Method parse(String name) {
        String k = normalize(name);
        for (Method m : values()) {
            if (normalize(m.label).equals(k)) {
                return m;
            }
        }
        throw new MethodException("Unknown method \"" + name + "\". Methods: " + String.join(", ", labels())
                + ".");
    }

    private static String normalize(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT).replaceAll("[\\s_\\-]", "");
    }

    @Override
    public String toString() {
        return label;
    }
}
