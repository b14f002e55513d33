package org.explainj.evaluate;

import java.io.File;
import java.util.List;
import org.explainj.explain.Option;
import org.explainj.explain.Option.Section;

/**
 * The keys of Evaluate Explanation, defined once (the command's fields, the dialog and the README follow them). The
 * input keys (model, target, scale, channels, input_size, mean, std, model_dims, output) are Explain Image's; left
 * blank they are read from the heatmap's Info, so the model sees exactly the input that was explained.
 */
public final class EvaluationKeys {

    private EvaluationKeys() {
    }

    public static final Option<String> HEATMAP = Option.of("heatmap", String.class, "", Section.MODEL,
            "Title of the heatmap to evaluate; blank: the latest heatmap made from this image");
    public static final Option<File> MODEL = Option.of("model", File.class, null, Section.MODEL,
            "The model (TorchScript file or bioimage.io package); blank: the one the heatmap names");
    public static final Option<String> METRIC = Option.choice("metric", "both", List.of("deletion", "insertion",
            "both", "road"), Section.METHOD, "Deletion, insertion, or both curves; or ROAD (MoRF, LeRF, combined)");
    public static final Option<Integer> STEPS = Option.number("steps", Integer.class, 50, 1, 10_000, Section.METHOD,
            "Steps n: the curve has n + 1 points; after step i, floor(i·P/n + 0.5) of the P pixels are changed");
    public static final Option<Double> BASELINE = Option.number("baseline", Double.class, 0.0, null,
            Section.METHOD, "The value deleted pixels get (and insertion starts from), in model-input units");
    public static final Option<Double> BLUR = Option.number("blur", Double.class, 0.0, 0.0, Section.METHOD,
            "Insertion starts from the image blurred with this sigma in pixels; 0: from the baseline image");
    public static final Option<String> SCORE = Option.choice("score", "probability", List.of("probability",
            "logit"), Section.METHOD, "The target's softmax probability, or its logit");
    public static final Option<Double> NOISE = Option.number("noise", Double.class, 0.01, 0.0, Section.METHOD,
            "ROAD: standard deviation of the noise added to imputed pixels (model-input units)");
    public static final Option<Long> SEED = Option.number("seed", Long.class, 1234L, null, Section.METHOD,
            "ROAD: the noise's seed");
    public static final Option<String> TARGET = Option.of("target", String.class, "", Section.TARGET,
            "The class to score (index or name); blank: the class the heatmap explains");
    public static final Option<Integer> BATCH_SIZE = Option.number("batch_size", Integer.class, 32, 1.0,
            Section.METHOD, "Inputs per forward pass");
    public static final Option<String> SCALE = Option.of("scale", String.class, "", Section.INPUT,
            "As Explain Image's (type, none, minmax); blank: as the heatmap was made");
    public static final Option<String> CHANNELS = Option.of("channels", String.class, "", Section.INPUT,
            "As Explain Image's; blank: as the heatmap was made");
    public static final Option<String> INPUT_SIZE = Option.of("input_size", String.class, "", Section.INPUT,
            "As Explain Image's; blank: as the heatmap was made");
    public static final Option<String> MEAN = Option.of("mean", String.class, "", Section.INPUT,
            "As Explain Image's; blank: as the heatmap was made");
    public static final Option<String> STD = Option.of("std", String.class, "", Section.INPUT,
            "As Explain Image's; blank: as the heatmap was made");
    public static final Option<String> OUTPUT = Option.of("output", String.class, "", Section.INPUT,
            "As Explain Image's; blank: as the heatmap was made");

    /** Every key, in dialog order. */
    public static final List<Option<?>> ALL = List.of(HEATMAP, MODEL, METRIC, STEPS, BASELINE, BLUR, SCORE, NOISE,
            SEED, TARGET, BATCH_SIZE, SCALE, CHANNELS, INPUT_SIZE, MEAN, STD, OUTPUT);

    /** The input keys whose blank value means "as the heatmap was made" (Explain Image's keys of the same name). */
    public static final List<Option<?>> FROM_HEATMAP = List.of(MODEL, TARGET, SCALE, CHANNELS, INPUT_SIZE, MEAN, STD,
            OUTPUT);
}
