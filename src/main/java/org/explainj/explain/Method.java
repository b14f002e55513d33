package org.explainj.explain;

import static org.explainj.explain.Options.BASELINE;
import static org.explainj.explain.Options.BATCH_SIZE;
import static org.explainj.explain.Options.CAM_WEIGHTS;
import static org.explainj.explain.Options.INTEGRATION;
import static org.explainj.explain.Options.INTERPOLATION;
import static org.explainj.explain.Options.LAYER;
import static org.explainj.explain.Options.LAYOUT;
import static org.explainj.explain.Options.NOISE;
import static org.explainj.explain.Options.NO_RELU;
import static org.explainj.explain.Options.PREFIX_TOKENS;
import static org.explainj.explain.Options.SAMPLES;
import static org.explainj.explain.Options.SEED;
import static org.explainj.explain.Options.SIGNED;
import static org.explainj.explain.Options.STEPS;
import static org.explainj.explain.Options.STRIDE;
import static org.explainj.explain.Options.WINDOW;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.explainj.explain.attention.AttentionRollout;
import org.explainj.explain.cam.Cam;
import org.explainj.explain.cam.EigenCam;
import org.explainj.explain.cam.GradCam;
import org.explainj.explain.cam.GradCamPlusPlus;
import org.explainj.explain.cam.HiResCam;
import org.explainj.explain.cam.LayerCam;
import org.explainj.explain.cam.ScoreCam;
import org.explainj.explain.cam.XGradCam;
import org.explainj.explain.combine.GuidedGradCam;
import org.explainj.explain.gradient.Deconvnet;
import org.explainj.explain.gradient.GuidedBackprop;
import org.explainj.explain.gradient.InputXGradient;
import org.explainj.explain.gradient.IntegratedGradients;
import org.explainj.explain.gradient.Saliency;
import org.explainj.explain.gradient.SmoothGrad;
import org.explainj.explain.perturb.Occlusion;

/**
 * The explanation methods: each with its name in menus and macros, how to make its explainer, and the options it
 * reads ({@link Options}). Adding a method is one line here (and its explainer class).
 */
public enum Method {
    SALIENCY("Saliency", Saliency::new, SIGNED),
    GRAD_CAM("Grad-CAM", GradCam::new, LAYER, LAYOUT, PREFIX_TOKENS, NO_RELU),
    GUIDED_BACKPROP("Guided Backprop", GuidedBackprop::new, SIGNED),
    DECONVNET("Deconvnet", Deconvnet::new, SIGNED),
    CAM("CAM", Cam::new, LAYER, LAYOUT, PREFIX_TOKENS, CAM_WEIGHTS, NO_RELU),
    GRAD_CAM_PLUS_PLUS("Grad-CAM++", GradCamPlusPlus::new, LAYER, LAYOUT, PREFIX_TOKENS, NO_RELU),
    GUIDED_GRAD_CAM("Guided Grad-CAM", GuidedGradCam::new, LAYER, LAYOUT, PREFIX_TOKENS, INTERPOLATION, SIGNED),
    HIRES_CAM("HiResCAM", HiResCam::new, LAYER, LAYOUT, PREFIX_TOKENS, NO_RELU),
    XGRAD_CAM("XGradCAM", XGradCam::new, LAYER, LAYOUT, PREFIX_TOKENS, NO_RELU),
    LAYER_CAM("LayerCAM", LayerCam::new, LAYER, LAYOUT, PREFIX_TOKENS, NO_RELU),
    SCORE_CAM("Score-CAM", ScoreCam::new, LAYER, LAYOUT, PREFIX_TOKENS, BATCH_SIZE, NO_RELU),
    EIGEN_CAM("EigenCAM", EigenCam::new, LAYER, LAYOUT, PREFIX_TOKENS, NO_RELU),
    SMOOTH_GRAD("SmoothGrad", SmoothGrad::new, SAMPLES, NOISE, SEED, BATCH_SIZE, SIGNED),
    INTEGRATED_GRADIENTS("Integrated Gradients", IntegratedGradients::new, STEPS, INTEGRATION, BASELINE, BATCH_SIZE,
            SIGNED),
    INPUT_X_GRADIENT("Input x Gradient", InputXGradient::new, SIGNED),
    OCCLUSION("Occlusion", Occlusion::new, WINDOW, STRIDE, BASELINE, BATCH_SIZE, SIGNED),
    ATTENTION_ROLLOUT("Attention Rollout", AttentionRollout::new, PREFIX_TOKENS);

    private final String label;
    private final Supplier<Explainer> factory;
    private final List<Option<?>> options;

    Method(String label, Supplier<Explainer> factory, Option<?>... options) {
        this.label = label;
        this.factory = factory;
        this.options = List.of(options);
    }

    /** The name in menus and macros, e.g. {@code Grad-CAM}. */
    public String label() {
        return label;
    }

    /** The options the method reads. */
    public List<Option<?>> options() {
        return options;
    }

    /** Whether the method explains a layer's activations (and so needs a layer name). */
    public boolean usesLayer() {
        return options.contains(LAYER);
    }

    /** A new explainer for the method (without the memory check that {@link Explainers#of} adds). */
    Explainer newExplainer() {
        return factory.get();
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
