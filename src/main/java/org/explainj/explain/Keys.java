package org.explainj.explain;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.explainj.explain.Option.Section;

/**
 * Every key of Explain Image, defined once and in the order of the dialogs: what to explain with which model, the
 * method options ({@link Options}), how the image becomes the model input, and how the heatmap is shown. The SciJava
 * command's fields, the ImageJ dialogs, the command-line batch and the README's key table follow this list (a test
 * checks each of them against it).
 */
public final class Keys {

    private Keys() {
    }

    public static final Option<File> MODEL = Option.of("model", File.class, null, Section.MODEL,
            "TorchScript file (.pt) saved with torch.jit.trace or torch.jit.script, or a bioimage.io package (.zip, "
            + "folder or rdf.yaml)");
    public static final Option<String> METHOD = Option.choice("method", Method.GRAD_CAM.label(), Method.labels(),
            Section.MODEL, "The method, by its name (see Methods)");
    public static final Option<String> TARGET = Option.of("target", String.class, "top", Section.TARGET,
            "top, a class index (0-based), a class name from the labels, topK, all, or a comma-separated list");
    public static final Option<Boolean> COUNTERFACTUAL = Option.of("counterfactual", Boolean.class, false,
            Section.TARGET, "Explain the negated score: evidence against the target");
    public static final Option<String> REGION = Option.of("region", String.class, "none", Section.TARGET,
            "Segmentation outputs: none, selection, or the title of an open mask image; the class's logits summed "
            + "inside it");
    public static final Option<String> OUTPUT = Option.of("output", String.class, "", Section.TARGET,
            "For a forward that returns a dict or tuple: the key or index of the output to explain; blank: out, else "
            + "the first [1, classes] tensor");
    public static final Option<File> LABELS = Option.of("labels", File.class, null, Section.TARGET,
            "Class names, one per line; blank: <model>.labels.txt or labels.txt beside the model");
    public static final Option<String> SCALE = Option.choice("scale", "type", List.of("type", "none", "minmax"),
            Section.INPUT, "type: divide by the pixel type's maximum; none: values unchanged; minmax: each channel to "
            + "[0, 1]");
    public static final Option<String> MODEL_DIMS = Option.choice("model_dims", "auto", List.of("auto", "2d", "3d"),
            Section.INPUT, "Whether the model takes planes or volumes; auto: from the first 4-D or 5-D weight");
    public static final Option<String> CHANNELS = Option.of("channels", String.class, "", Section.INPUT,
            "Image channels (1-based) in the model's order, e.g. 1,1,1 for a colour model on a greyscale image; "
            + "blank: all, in order");
    public static final Option<String> INPUT_SIZE = Option.of("input_size", String.class, "", Section.INPUT,
            "Resize to the model's input size, e.g. 224 or 224x224; blank: no resize");
    public static final Option<String> MEAN = Option.of("mean", String.class, "", Section.INPUT,
            "Per-channel mean subtracted after scaling, e.g. 0.485,0.456,0.406; blank: none");
    public static final Option<String> STD = Option.of("std", String.class, "", Section.INPUT,
            "Per-channel standard deviation divided after the mean; blank: none");
    public static final Option<String> LUT = Option.choice("lut", "Auto", List.of("Auto", "Fire", "Diverging", "Jet",
            "Grays"), Section.DISPLAY, "Auto: Fire for maps without negative values, Diverging (white at 0) for "
            + "signed maps");
    public static final Option<Boolean> NORMALIZE = Option.of("normalize", Boolean.class, false, Section.DISPLAY,
            "Rescale each heatmap to [0, 1] (min-max); off: raw values");
    public static final Option<Boolean> LAYER_RESOLUTION = Option.of("layer_resolution", Boolean.class, false,
            Section.DISPLAY, "Keep a layer map at the layer's own size; off: upsampled to the image");
    public static final Option<Boolean> ALL_SLICES = Option.of("all_slices", Boolean.class, false, Section.DISPLAY,
            "Explain every slice and frame (3-D models: every frame); off: the current one");
    public static final Option<Boolean> CALIBRATION_BAR = Option.of("calibration_bar", Boolean.class, false,
            Section.DISPLAY, "A calibration bar in the heatmap's overlay");
    public static final Option<Boolean> OVERLAY = Option.of("overlay", Boolean.class, false, Section.DISPLAY,
            "Add the heatmap to the image's overlay (the pixels never change)");
    public static final Option<Double> OPACITY = Option.number("opacity", Double.class, 0.5, 0.0, 1.0,
            Section.DISPLAY, "The overlay's opacity, 0 to 1");

    /** Every key, in the order of the dialogs (method options where their section puts them). */
    public static final List<Option<?>> ALL;

    static {
        List<Option<?>> all = new ArrayList<>(List.of(MODEL, METHOD));
        for (Section s : new Section[] {Section.LAYER, Section.TARGET, Section.INPUT, Section.DISPLAY,
            Section.METHOD}) {
            for (Option<?> o : List.of(TARGET, COUNTERFACTUAL, REGION, OUTPUT, LABELS, SCALE, MODEL_DIMS, CHANNELS,
                    INPUT_SIZE, MEAN, STD, LUT, NORMALIZE, LAYER_RESOLUTION, ALL_SLICES, CALIBRATION_BAR, OVERLAY,
                    OPACITY)) {
                if (o.section() == s) {
                    all.add(o);
                }
            }
            for (Option<?> o : Options.ALL) {
                if (o.section() == s) {
                    all.add(o);
                }
            }
        }
        ALL = Collections.unmodifiableList(all);
    }

    /**
     * The keys as a Markdown table (key, values, default, meaning), for the README (a test checks that the README
     * holds exactly this table) and the command line's help.
     */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| key | values | default | meaning |\n| --- | --- | --- | --- |\n");
        for (Option<?> o : ALL) {
            String values = !o.choices().isEmpty() ? "`" + String.join("`, `", o.choices()) + "`"
                    : o.min() != null && o.max() != null ? o.typeName() + " " + Option.format(o.min()) + "–"
                    + Option.format(o.max()) : o.min() != null ? o.typeName() + " ≥ " + Option.format(o.min())
                    : o.typeName();
            Object d = o.defaultValue();
            String dflt = d == null || d.toString().isEmpty() ? "—" : o.isFlag() ? ((Boolean) d ? "on" : "off")
                    : "`" + Option.format(d) + "`";
            sb.append("| `").append(o.key()).append("` | ").append(values).append(" | ").append(dflt).append(" | ")
                    .append(o.doc().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    /** The key with this name, or null. */
    public static Option<?> named(String key) {
        for (Option<?> o : ALL) {
            if (o.key().equals(key)) {
                return o;
            }
        }
        return null;
    }
}
