package org.explainj.command;

import ij.ImagePlus;
import java.io.File;
import java.util.List;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainRequest;
import org.explainj.explain.Keys;
import org.explainj.explain.Option;
import org.explainj.explain.OpenModel;
import org.explainj.explain.Options;
import org.explainj.explain.Values;
import org.explainj.model.LayerCatalogue;
import org.explainj.model.TorchScriptModel;
import org.explainj.render.ImageExplanation;
import org.explainj.render.ImageJProgress;
import org.explainj.tensor.Grid;
import org.explainj.tensor.InputSpec;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Explains one image with one model: the heatmap as a new 32-bit image (and as an ImgLib2 image), optionally an
 * overlay on the image. Each field is a key of {@link Keys} (same name, type and default; a test checks them), the
 * macro keys of {@code run("Explain Image...", "...")}; the work is {@link ImageExplanation}'s.
 *
 * <p>Usable from scripts and {@code CommandService}; the menu entry is the ImageJ 1.x plugin that fills these
 * fields from its dialog or from macro options and runs this command.
 */
@Plugin(type = Command.class, label = "Explain Image", headless = true)
public class ExplainImageCommand implements Command {

    /** The layer value that stands for the default layer (same as blank). */
    public static final String AUTOMATIC = Options.AUTOMATIC;

    @Parameter(label = "Image")
    public ImagePlus image;

    @Parameter(label = "Model", required = false)
    public File model;

    @Parameter(label = "Method")
    public String method = "Grad-CAM";

    @Parameter(label = "Layer", required = false)
    public String layer = "";

    @Parameter(label = "Layout")
    public String layout = "auto";

    @Parameter(label = "Prefix tokens", required = false)
    public String prefix_tokens = "";

    @Parameter(label = "Target")
    public String target = "top";

    @Parameter(label = "Counterfactual")
    public boolean counterfactual = false;

    @Parameter(label = "Region", required = false)
    public String region = "none";

    @Parameter(label = "Output", required = false)
    public String output = "";

    @Parameter(label = "Labels", required = false)
    public File labels;

    @Parameter(label = "Scale")
    public String scale = "type";

    @Parameter(label = "Model dims")
    public String model_dims = "auto";

    @Parameter(label = "Channels", required = false)
    public String channels = "";

    @Parameter(label = "Input size", required = false)
    public String input_size = "";

    @Parameter(label = "Mean", required = false)
    public String mean = "";

    @Parameter(label = "Std", required = false)
    public String std = "";

    @Parameter(label = "Signed")
    public boolean signed = false;

    @Parameter(label = "No ReLU")
    public boolean no_relu = false;

    @Parameter(label = "LUT")
    public String lut = "Auto";

    @Parameter(label = "Normalize")
    public boolean normalize = false;

    @Parameter(label = "Layer resolution")
    public boolean layer_resolution = false;

    @Parameter(label = "All slices")
    public boolean all_slices = false;

    @Parameter(label = "Calibration bar")
    public boolean calibration_bar = false;

    @Parameter(label = "Overlay")
    public boolean overlay = false;

    @Parameter(label = "Opacity")
    public double opacity = 0.5;

    @Parameter(label = "CAM weights", required = false)
    public String cam_weights = "";

    @Parameter(label = "Batch size")
    public int batch_size = 0;

    @Parameter(label = "Samples")
    public int samples = 25;

    @Parameter(label = "Noise")
    public double noise = 0.15;

    @Parameter(label = "Seed")
    public long seed = 1234;

    @Parameter(label = "Steps")
    public int steps = 50;

    @Parameter(label = "Integration")
    public String integration = "gausslegendre";

    @Parameter(label = "Baseline")
    public double baseline = 0;

    @Parameter(label = "Window")
    public int window = 8;

    @Parameter(label = "Stride")
    public int stride = 4;

    @Parameter(label = "Interpolation")
    public String interpolation = "nearest";

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus heatmap;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    public Img<FloatType> attribution;

    /** The notes written to the Log by the last run (without the "ExplainJ: " prefix). */
    public final List<String> messages = new java.util.ArrayList<>();

    /** The core result of the last explained plane and target (map at its own resolution, scores, target). */
    public Attribution result;

    /** Progress reports and cancellation (the ImageJ progress bar and Esc by default). */
    public ImageJProgress progress = new ImageJProgress();

    @Override
    public void run() {
        messages.clear();
        ImageExplanation.Result r = ImageExplanation.run(image, ExplainRequest.of(values()), progress);
        for (String note : r.notes()) {
            messages.add(note);
            ij.IJ.log("ExplainJ: " + note);
        }
        heatmap = r.heatmap();
        attribution = r.attribution();
        result = r.last();
    }

    /**
     * The values of the fields, key by key ({@link Keys}: every field is a key, with the key's name and type; a
     * test checks the two against each other).
     */
    public Values values() {
        Values v = Values.defaults();
        for (Option<?> o : Keys.ALL) {
            v = copy(v, o);
        }
        return v;
    }

    private <T> Values copy(Values v, Option<T> o) {
        try {
            Object value = ExplainImageCommand.class.getField(o.key()).get(this);
            return v.with(o, o.type().cast(value));
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalStateException("the command has no field for the key " + o.key(), e);
        }
    }

    /** Sets the fields from values (the reverse of {@link #values()}). */
    public void setValues(Values v) {
        for (Option<?> o : Keys.ALL) {
            try {
                ExplainImageCommand.class.getField(o.key()).set(this, v.get(o));
            } catch (NoSuchFieldException | IllegalAccessException e) {
                throw new IllegalStateException("the command has no field for the key " + o.key(), e);
            }
        }
    }

    /**
     * The layers a CAM method can use with the current model, image and input options (outputs N×C×H×W with
     * H·W &gt; 1, in module order) and, first, the default layer. Loads the model (cached) and runs one forward pass
     * the first time per input shape.
     */
    public LayerChoices layerChoices() {
        ExplainRequest request = ExplainRequest.of(values());
        OpenModel opened = OpenModel.open(request.model());
        TorchScriptModel loaded = opened.model();
        if (loaded.usesPreparedMethods(null)) {
            return new LayerChoices(TorchScriptModel.PREPARED_FEATURES, List.of(TorchScriptModel.PREPARED_FEATURES));
        }
        InputSpec spec = request.input();
        int c = spec.channels().length > 0 ? spec.channels().length
                : image.getType() == ImagePlus.COLOR_RGB ? 3 : image.getNChannels();
        if (loaded.inputChannels() > 0) {
            c = loaded.inputChannels();
        }
        int h = spec.resizes() ? spec.height() : image.getHeight();
        int w = spec.resizes() ? spec.width() : image.getWidth();
        boolean volumes = request.volumes(opened);
        Grid grid = volumes ? Grid.volume(w, h, image.getNSlices()) : Grid.plane(w, h);
        if (opened.pkg() != null) {
            grid = opened.pkg().fit(grid); // the padded size the model sees
        }
        long[] shape = grid.tensorShape(1, c);
        LayerCatalogue catalogue = loaded.catalogue(shape);
        return new LayerChoices(catalogue.defaultCamLayer(), catalogue.spatialLayers());
    }

    /** The default layer (may be null) and the layers a CAM method can use. */
    public record LayerChoices(String defaultLayer, List<String> layers) {
    }

}
