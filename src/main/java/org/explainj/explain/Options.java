package org.explainj.explain;

import java.util.List;
import org.explainj.explain.Option.Section;
import org.explainj.explain.gradient.IntegrationRule;

/**
 * The options methods read, each defined once. {@link Method} lists which of them each method uses;
 * {@link ExplainOptions} carries their values.
 */
public final class Options {

    private Options() {
    }

    /** The layer value that stands for the default layer (the dialog's first item; same as blank). */
    public static final String AUTOMATIC = "(automatic)";

    public static final Option<String> LAYER = Option.of("layer", String.class, "", Section.LAYER,
            "Layer methods: the module path as in named_modules() (layer4, features.28); blank: the default layer");
    public static final Option<String> LAYOUT = Option.choice("layout", "auto", List.of("auto", "nchw", "nhwc",
            "tokens"), Section.LAYER, "Layer methods: how the layer holds channels and positions; auto: from its "
            + "shape (tokens [1, T, C], channels-last [1, H, W, C], else channels first)");
    public static final Option<String> PREFIX_TOKENS = Option.of("prefix_tokens", String.class, "", Section.LAYER,
            "Token layers: tokens before the patches (1: class token, 2: DeiT); blank: found from the shapes");
    public static final Option<Boolean> SIGNED = Option.of("signed", Boolean.class, false, Section.DISPLAY,
            "Input-attribution methods: keep the sign (the channel value of largest magnitude) instead of |.|");
    public static final Option<Boolean> NO_RELU = Option.of("no_relu", Boolean.class, false, Section.DISPLAY,
            "CAM methods: skip the final ReLU, keeping negative evidence");
    public static final Option<String> CAM_WEIGHTS = Option.of("cam_weights", String.class, "", Section.METHOD,
            "CAM: the classifier weight, e.g. fc.weight; blank: the last 2-D weight of shape [classes, channels]");
    public static final Option<Integer> BATCH_SIZE = Option.number("batch_size", Integer.class, 0, 0.0,
            Section.METHOD, "Score-CAM, SmoothGrad, Integrated Gradients, Occlusion: inputs per pass; 0 (default): "
            + "chosen from the model's activation memory per input, at most 32");
    public static final Option<Integer> SAMPLES = Option.number("samples", Integer.class, 25, 1, 10_000, Section.METHOD,
            "SmoothGrad: number of noisy samples");
    public static final Option<Double> NOISE = Option.number("noise", Double.class, 0.15, 0.0, Section.METHOD,
            "SmoothGrad: noise sigma as a fraction of the model input's (max - min)");
    public static final Option<Long> SEED = Option.number("seed", Long.class, 1234L, null, Section.METHOD,
            "SmoothGrad: random seed (the same seed gives the same map)");
    public static final Option<Integer> STEPS = Option.number("steps", Integer.class, 50, 2, 10_000, Section.METHOD,
            "Integrated Gradients: number of steps");
    public static final Option<String> INTEGRATION = Option.choice("integration",
            IntegrationRule.GAUSS_LEGENDRE.key(), IntegrationRule.keys(), Section.METHOD,
            "Integrated Gradients: the integration rule (Captum's)");
    public static final Option<Double> BASELINE = Option.number("baseline", Double.class, 0.0, null, Section.METHOD,
            "Integrated Gradients, Occlusion: the constant baseline, in model-input units");
    public static final Option<Integer> WINDOW = Option.number("window", Integer.class, 8, 1.0, Section.METHOD,
            "Occlusion: window side in model-input pixels (a cube for 3-D models)");
    public static final Option<Integer> STRIDE = Option.number("stride", Integer.class, 4, 1.0, Section.METHOD,
            "Occlusion: stride in model-input pixels");
    public static final Option<String> INTERPOLATION = Option.choice("interpolation", "nearest",
            List.of("nearest", "bilinear"), Section.METHOD,
            "Guided Grad-CAM: how the Grad-CAM factor is upsampled (Captum's default is nearest)");

    /** Every method option, in the order of the dialogs. */
    public static final List<Option<?>> ALL = List.of(LAYER, LAYOUT, PREFIX_TOKENS, SIGNED, NO_RELU, CAM_WEIGHTS,
            BATCH_SIZE, SAMPLES, NOISE, SEED, STEPS, INTEGRATION, BASELINE, WINDOW, STRIDE, INTERPOLATION);
}
