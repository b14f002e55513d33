package org.explainj.explain;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.explainj.ExplainJException;
import org.explainj.model.ModelLabels;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.InputSpec;
import org.explainj.tensor.Scaling;

/**
 * What one run of Explain Image asks: the model, the method and its options, what to explain, how the image becomes
 * the model's input, and how the heatmap is shown. A value made from {@link Values}; everything that belongs to one
 * request (its labels file, say) stays here, not on the cached model.
 *
 * @param region a region spec as the user gave it ({@code none}, {@code selection}, or an image title), resolved by
 *               the image layer
 */
public record ExplainRequest(Path model, Method method, ExplainOptions options, String target, boolean counterfactual,
                             String region, String output, Path labels, InputSpec input, String modelDims,
                             Display display) {

    /** How the heatmap is shown (see {@link Keys}). */
    public record Display(String lut, boolean normalize, boolean layerResolution, boolean allSlices,
                          boolean calibrationBar, boolean overlay, double opacity) {
    }

    /** The request the values ask for; the model is required. */
    public static ExplainRequest of(Values v) {
        File model = v.get(Keys.MODEL);
        if (model == null || model.getPath().isBlank()) {
            throw new ExplainJException("No model given: set model=[/path/to/model.pt].");
        }
        File labels = v.get(Keys.LABELS);
        int[] size = InputSpec.parseSize(v.get(Keys.INPUT_SIZE));
        InputSpec input = new InputSpec(InputSpec.parseChannels(v.get(Keys.CHANNELS)), size[0], size[1],
                Scaling.parse(v.get(Keys.SCALE)), InputSpec.parseFloats("mean", v.get(Keys.MEAN)),
                InputSpec.parseFloats("std", v.get(Keys.STD)));
        Display display = new Display(v.get(Keys.LUT), v.get(Keys.NORMALIZE), v.get(Keys.LAYER_RESOLUTION),
                v.get(Keys.ALL_SLICES), v.get(Keys.CALIBRATION_BAR), v.get(Keys.OVERLAY), v.get(Keys.OPACITY));
        ExplainOptions options = v.methodOptions();
        options.layout(); // checked now, before any work
        options.prefixTokens();
        return new ExplainRequest(model.toPath(), Method.parse(v.get(Keys.METHOD)), options, v.get(Keys.TARGET),
                v.get(Keys.COUNTERFACTUAL), v.get(Keys.REGION), v.get(Keys.OUTPUT),
                labels == null || labels.getPath().isBlank() ? null : labels.toPath(), input, v.get(Keys.MODEL_DIMS),
                display);
    }

    /**
     * The class names for this run: its labels file, else a package's output channel names, else the file beside
     * the model.
     */
    public List<String> labels(OpenModel opened) {
        return labels != null ? ModelLabels.read(labels) : opened.labels();
    }

    /**
     * Whether the model takes volumes: from {@code model_dims}, else from a package's input axes (a z axis), else
     * detected from the model's first convolution weight.
     */
    public boolean volumes(OpenModel opened) {
        return switch (modelDims == null ? "auto" : modelDims) {
            case "2d" -> false;
            case "3d" -> true;
            default -> opened.pkg() != null ? opened.pkg().volume() : opened.model().spatialDims() == 3;
        };
    }

    /**
     * Whether the request sets how pixel values become the model input (a scale other than the default, or a
     * mean or std): then a package's own preprocessing is replaced by it.
     */
    public boolean setsNormalization() {
        return input.scaling() != Scaling.parse(Keys.SCALE.defaultValue()) || input.mean().length > 0
                || input.std().length > 0;
    }
}
