package org.explainj.command;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.process.FloatProcessor;
import ij.process.LUT;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;
import org.explainj.ExplainJException;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.model.LayerLayout;
import org.explainj.render.CalibrationBars;
import org.explainj.render.Regions;
import org.explainj.explain.Explainers;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.LayerCatalogue;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.render.HeatmapImages;
import org.explainj.render.ImageBridge;
import org.explainj.render.Luts;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ImageTensors;
import org.explainj.tensor.InputException;
import org.explainj.tensor.InputSpec;
import org.explainj.tensor.MinMax;
import org.explainj.tensor.ModelInput;
import org.explainj.tensor.Scaling;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Explains one image with one model: the heatmap as a new 32-bit image (and as an ImgLib2 image), optionally an
 * overlay on the image. Field names are the macro keys of {@code run("Explain Image...", "...")}.
 *
 * <p>Usable from scripts and {@code CommandService}; the menu entry is the ImageJ 1.x plugin that fills these
 * fields from its dialog or from macro options and runs this command.
 */
@Plugin(type = Command.class, label = "Explain Image", headless = true)
public class ExplainImageCommand implements Command {

    /** The layer value that stands for the default layer (same as blank). */
    public static final String AUTOMATIC = "(automatic)";

    @Parameter(label = "Image")
    public ImagePlus image;

    @Parameter(label = "Model", description = "TorchScript file (.pt) saved with torch.jit.save")
    public File model;

    @Parameter(label = "Method", choices = {"Saliency", "Grad-CAM", "Guided Backprop", "Deconvnet", "CAM",
        "Grad-CAM++", "Guided Grad-CAM", "HiResCAM", "XGradCAM", "LayerCAM", "Score-CAM", "EigenCAM", "SmoothGrad",
        "Integrated Gradients", "Input x Gradient", "Occlusion", "Attention Rollout"})
    public String method = "Grad-CAM";

    @Parameter(label = "Layer", required = false, description = "Module path, e.g. layer4; blank: default layer")
    public String layer = "";

    @Parameter(label = "Target", description = "top, a class index (0-based) or a class name from the labels")
    public String target = "top";

    @Parameter(label = "Output", required = false, description = "For a model that returns a dict or tuple: the "
        + "key or index of the output to explain; blank: out, else the first [1, classes] tensor")
    public String output = "";

    @Parameter(label = "Layout", choices = {"auto", "nchw", "nhwc", "tokens"}, description = "Layer methods: how "
        + "the layer holds channels and positions; auto: from its shape (tokens [1, T, C] of a ViT, channels-last "
        + "[1, H, W, C] of a Swin stage)")
    public String layout = "auto";

    @Parameter(label = "Prefix tokens", required = false, description = "Layer methods on token layers: tokens "
        + "before the patches (1: class token, 2: DeiT); blank: found from the shapes")
    public String prefix_tokens = "";

    @Parameter(label = "Counterfactual", description = "Explain the negated score: evidence against the target")
    public boolean counterfactual = false;

    @Parameter(label = "Region", required = false,
        description = "Segmentation models: none, selection (the image's ROI) or the title of a mask image")
    public String region = "none";

    @Parameter(label = "Labels", required = false,
        description = "Class names, one per line (blank: <model>.labels.txt or labels.txt beside the model)")
    public File labels;

    @Parameter(label = "Scale", choices = {"type", "none", "minmax"})
    public String scale = "type";

    @Parameter(label = "Model dims", choices = {"auto", "2d", "3d"}, description = "auto: a model whose first "
        + "convolution weight is 5-D (Conv3d) explains z-stacks as volumes; 2d or 3d to say so explicitly")
    public String model_dims = "auto";

    @Parameter(label = "Channels", required = false, description = "Image channels in model order, e.g. 1,2,3")
    public String channels = "";

    @Parameter(label = "Input size", required = false, description = "Resize to WxH (e.g. 224); blank: no resize")
    public String input_size = "";

    @Parameter(label = "Mean", required = false, description = "Per-channel mean subtracted after scaling")
    public String mean = "";

    @Parameter(label = "Std", required = false, description = "Per-channel std divided after the mean")
    public String std = "";

    @Parameter(label = "Signed", description = "Saliency: keep the gradient's sign")
    public boolean signed = false;

    @Parameter(label = "No ReLU", description = "CAM methods: keep negative values")
    public boolean no_relu = false;

    @Parameter(label = "Normalize", description = "Rescale the map to [0, 1] (min-max per image)")
    public boolean normalize = false;

    @Parameter(label = "Layer resolution", description = "Keep a layer map at the layer's size (no upsampling)")
    public boolean layer_resolution = false;

    @Parameter(label = "CAM weights", required = false, description = "CAM: classifier weight name, e.g. fc.weight")
    public String cam_weights = "";

    @Parameter(label = "Batch size", min = "1", description = "Inputs per forward pass (Score-CAM, SmoothGrad, "
        + "Integrated Gradients, Occlusion)")
    public int batch_size = 32;

    @Parameter(label = "Samples", min = "1", description = "SmoothGrad: number of noisy samples")
    public int samples = 25;

    @Parameter(label = "Noise", min = "0", description = "SmoothGrad: noise σ as a fraction of (max − min)")
    public double noise = 0.15;

    @Parameter(label = "Seed", description = "SmoothGrad: random seed")
    public long seed = 1234;

    @Parameter(label = "Steps", min = "2", description = "Integrated Gradients: number of steps")
    public int steps = 50;

    @Parameter(label = "Integration", choices = {"gausslegendre", "riemann_right", "riemann_left", "riemann_middle",
        "riemann_trapezoid"})
    public String integration = "gausslegendre";

    @Parameter(label = "Baseline", description = "Integrated Gradients, Occlusion: baseline value (model input)")
    public double baseline = 0;

    @Parameter(label = "Window", min = "1", description = "Occlusion: window side in pixels (model input)")
    public int window = 8;

    @Parameter(label = "Stride", min = "1", description = "Occlusion: stride in pixels (model input)")
    public int stride = 4;

    @Parameter(label = "Interpolation", choices = {"nearest", "bilinear"},
        description = "Guided Grad-CAM: how the Grad-CAM factor is upsampled")
    public String interpolation = "nearest";

    @Parameter(label = "LUT", choices = {"Auto", "Fire", "Diverging", "Jet", "Grays"},
        description = "Auto: Fire for maps without negative values, Diverging (centred on 0) for signed maps")
    public String lut = "Auto";

    @Parameter(label = "All slices", description = "Explain every slice/frame of a stack (else the current one); "
        + "3-D models: every frame (each z-stack is one volume)")
    public boolean all_slices = false;

    @Parameter(label = "Calibration bar", description = "Add a calibration bar to the heatmap's overlay")
    public boolean calibration_bar = false;

    @Parameter(label = "Overlay", description = "Add the heatmap as an overlay on the image")
    public boolean overlay = false;

    @Parameter(label = "Opacity", min = "0", max = "1", stepSize = "0.05")
    public double opacity = 0.5;

    @Parameter(type = ItemIO.OUTPUT)
    public ImagePlus heatmap;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    public Img<FloatType> attribution;

    /** The core result of the last explained plane and target (map at its own resolution, scores, target). */
    public Attribution result;

    /** Progress reports and cancellation (the ImageJ progress bar and Esc by default). */
    public ImageJProgress progress = new ImageJProgress();

    @Override
    public void run() {
        // a locked image keeps its pixels when its window is closed during the run (ImagePlus.flush())
        boolean locked = image != null && image.lockSilently();
        try {
            explainImage();
        } finally {
            if (locked) {
                image.unlock();
            }
        }
    }

    private void explainImage() {
        if (image == null || image.getProcessor() == null) {
            throw new InputException("No image: open the image to explain first.");
        }
        if (model == null) {
            throw new ExplainJException("No model given: set model=[/path/to/model.pt].");
        }
        Method m = Method.parse(method);
        InputSpec spec = inputSpec();
        TorchScriptModel loaded = ModelCache.shared().get(Path.of(model.getPath()));
        if (labels != null && !labels.getPath().isBlank()) {
            loaded.useLabels(Path.of(labels.getPath()));
        }
        boolean volumes = volumes(loaded);
        if (volumes && image.getNSlices() < 2) {
            String why = "auto".equalsIgnoreCase(model_dims.trim()) ? " (its first convolution weight, "
                    + loaded.firstConvolutionWeight() + ", is 5-D: a Conv3d)" : " (model_dims=3d)";
            throw new InputException("The model " + model.getName() + " is a 3-D model" + why + " and explains a "
                    + "z-stack as one volume, but the image \"" + image.getTitle() + "\" has one z-slice"
                    + (image.getNFrames() > 1 ? " and " + image.getNFrames() + " frames: if the frames are really "
                    + "z-slices, swap them with Image > Hyperstacks > Re-order Hyperstack" : "") + ". Open a z-stack, "
                    + "or, if the model takes 2-D images, set model_dims=2d.");
        }
        // one unit per model input: a (z, t) plane for 2-D models, a frame's z-stack for 3-D models (z = 0)
        List<int[]> units = volumes ? frames() : planes();
        long[] lastShape = null;
        int iw = image.getWidth();
        int ih = image.getHeight();
        Grid imageGrid = volumes ? Grid.volume(iw, ih, image.getNSlices()) : Grid.plane(iw, ih);
        List<float[]> shown = new ArrayList<>();
        List<float[]> atImage = new ArrayList<>();
        List<String> unitLabels = new ArrayList<>();
        Grid shownGrid = imageGrid;
        int perUnit = 0;
        for (int p = 0; p < units.size(); p++) {
            int[] zt = units.get(p);
            ModelInput input = ImageTensors.toTensor(volumes ? ImageBridge.volumeChannels(image, zt[1])
                    : ImageBridge.channels(image, zt[0], zt[1]), spec);
            checkChannels(loaded, input);
            lastShape = input.shape();
            List<Target> targets = Targets.parse(target, counterfactual, region(), output, loaded, input);
            perUnit = targets.size();
            for (int k = 0; k < targets.size(); k++) {
                int step = p * targets.size() + k;
                ExplainOptions options = options().withProgress(progress.step(step, units.size() * targets.size()));
                options.progress().check(); // Esc between planes and targets, also for one-pass methods
                Attribution a = Explainers.of(m).explain(loaded, input, targets.get(k), options);
                result = a;
                float[] full = a.valuesAt(imageGrid);
                boolean layerSize = layer_resolution && a.layer() != null;
                float[] values = layerSize ? a.values().clone() : full;
                shownGrid = layerSize ? a.grid() : imageGrid;
                if (normalize) {
                    MinMax.normalizeInPlace(values);
                    if (values != full) {
                        MinMax.normalizeInPlace(full);
                    }
                }
                shown.add(values);
                atImage.add(full);
                unitLabels.add(sliceLabel(loaded, a, targets.size() > 1, units.size() > 1 && !volumes, zt));
            }
        }
        progress.done();
        LUT colours = Luts.forMap(lut, anyNegative(shown));
        // ImageJ's stack order: target (as channel) fastest, then z, then unit (plane or frame)
        int depth = shownGrid.slices();
        List<float[]> slices = new ArrayList<>();
        List<String> sliceLabels = new ArrayList<>();
        for (int p = 0; p < units.size(); p++) {
            for (int z = 0; z < depth; z++) {
                for (int k = 0; k < perUnit; k++) {
                    int entry = p * perUnit + k;
                    slices.add(planeOf(shown.get(entry), shownGrid, z));
                    sliceLabels.add(volumes ? volumeSliceLabel(unitLabels.get(entry), z, depth, units.size() > 1,
                            units.get(p)[1]) : unitLabels.get(entry));
                }
            }
        }
        heatmap = HeatmapImages.createStack(title(m), slices, sliceLabels, shownGrid.width(), shownGrid.height(),
                colours, image.getCalibration(), iw, ih);
        if (volumes) {
            heatmap.setDimensions(perUnit, depth, units.size());
            heatmap.setOpenAsHyperStack(perUnit > 1 || units.size() > 1);
            heatmap.getCalibration().pixelDepth = image.getCalibration().pixelDepth * image.getNSlices() / depth;
        } else if (perUnit > 1 || units.size() > 1) {
            heatmap.setDimensions(perUnit, units.size(), 1);
            heatmap.setOpenAsHyperStack(perUnit > 1 && units.size() > 1);
        }
        String outputUsed = loaded.severalOutputs() ? loaded.outputLabel(lastShape, output) : null;
        heatmap.setProperty("Info", info(m, outputUsed));
        attribution = net.imglib2.img.array.ArrayImgs.floats(shown.get(0), shownGrid.dimensions());
        if (calibration_bar) {
            CalibrationBars.add(heatmap);
        }
        if (overlay) {
            boolean positioned = units.size() > 1 || volumes;
            for (int p = 0; p < units.size(); p++) {
                float[] first = atImage.get(p * perUnit);
                for (int z = 0; z < imageGrid.slices(); z++) {
                    // its own pixels: the overlay must not change when the heatmap is edited
                    float[] own = imageGrid.isVolume() ? planeOf(first, imageGrid, z) : first.clone();
                    FloatProcessor fp = new FloatProcessor(iw, ih, own);
                    fp.setColorModel(colours);
                    fp.setMinAndMax(heatmap.getDisplayRangeMin(), heatmap.getDisplayRangeMax());
                    ImageRoi roi = HeatmapImages.addOverlay(image, fp, opacity, "ExplainJ " + m.label());
                    if (positioned) {
                        int zz = volumes ? z + 1 : units.get(p)[0];
                        int t = units.get(p)[1];
                        if (image.isHyperStack() || image.getNChannels() > 1) {
                            roi.setPosition(0, zz, t); // every channel of plane (z, t)
                        } else {
                            // a plain stack: ImageJ draws an element on the slice of its stack position only
                            roi.setPosition(image.getStackIndex(1, zz, t));
                        }
                    }
                }
            }
        }
    }

    /** Whether the model takes volumes: from {@code model_dims}, or detected from its first convolution weight. */
    private boolean volumes(TorchScriptModel loaded) {
        String d = model_dims == null ? "auto" : model_dims.trim().toLowerCase(Locale.ROOT);
        switch (d) {
            case "auto":
            case "":
                return loaded.spatialDims() == 3;
            case "2d":
                return false;
            case "3d":
                return true;
            default:
                throw new InputException("model_dims must be auto, 2d or 3d; got \"" + model_dims + "\".");
        }
    }

    /** Slice z of a plane or volume map (a copy for volumes; the array itself for planes). */
    private static float[] planeOf(float[] values, Grid grid, int z) {
        if (!grid.isVolume()) {
            return values;
        }
        return java.util.Arrays.copyOfRange(values, z * grid.planeSize(), (z + 1) * grid.planeSize());
    }

    /** The frames to explain with a 3-D model, as (0, t): all with {@code all_slices}, else the current one. */
    private List<int[]> frames() {
        List<int[]> frames = new ArrayList<>();
        if (all_slices && image.getNFrames() > 1) {
            for (int t = 1; t <= image.getNFrames(); t++) {
                frames.add(new int[] {0, t});
            }
        } else {
            frames.add(new int[] {0, image.convertIndexToPosition(image.getCurrentSlice())[2]});
        }
        return frames;
    }

    /** A heatmap slice label for a 3-D map: the target's label, the image's own slice label or z, and the frame. */
    private String volumeSliceLabel(String target, int z, int depth, boolean byFrame, int t) {
        String original = depth == image.getNSlices()
                ? image.getStack().getShortSliceLabel(image.getStackIndex(1, z + 1, t)) : null;
        String where = original != null && !original.isBlank() ? original : "z=" + (z + 1);
        return target + " " + where + (byFrame ? " t=" + t : "");
    }

    private static boolean allZero(float[] v) {
        for (float f : v) {
            if (f != 0) {
                return false;
            }
        }
        return true;
    }

    /** The (z, t) planes to explain: all of a stack with {@code all_slices}, else the current one. */
    private List<int[]> planes() {
        List<int[]> planes = new ArrayList<>();
        if (all_slices && image.getNSlices() * image.getNFrames() > 1) {
            for (int t = 1; t <= image.getNFrames(); t++) {
                for (int z = 1; z <= image.getNSlices(); z++) {
                    planes.add(new int[] {z, t});
                }
            }
        } else {
            // (getZ/getT are only kept up to date for hyperstacks)
            int[] czt = image.convertIndexToPosition(image.getCurrentSlice());
            planes.add(new int[] {czt[1], czt[2]});
        }
        return planes;
    }

    private Target region() {
        String r = region == null ? "" : region.trim();
        if (r.isEmpty() || r.equalsIgnoreCase("none")) {
            return null;
        }
        return Target.TOP.inRegion(Regions.mask(image, r), image.getWidth(), image.getHeight());
    }

    private String sliceLabel(TorchScriptModel loaded, Attribution a, boolean byClass, boolean byPlane, int[] zt) {
        StringBuilder sb = new StringBuilder();
        if (byClass || !byPlane) {
            sb.append("class ").append(a.targetClass());
            List<String> names = loaded.labels();
            if (a.targetClass() < names.size()) {
                sb.append(" (").append(names.get(a.targetClass())).append(')');
            }
        }
        if (byPlane) {
            String original = image.getStack().getShortSliceLabel(image.getStackIndex(1, zt[0], zt[1]));
            sb.append(sb.length() > 0 ? " " : "").append(original != null && !original.isBlank() ? original
                    : (image.getNFrames() > 1 ? "t=" + zt[1] + " " : "") + "z=" + zt[0]);
        }
        return sb.toString();
    }

    private static boolean anyNegative(List<float[]> maps) {
        for (float[] m : maps) {
            for (float v : m) {
                if (v < 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The layers a CAM method can use with the current model, image and input options (outputs N×C×H×W with
     * H·W &gt; 1, in module order) and, first, the default layer. Loads the model (cached) and runs one forward pass
     * the first time per input shape.
     */
    public LayerChoices layerChoices() {
        TorchScriptModel loaded = ModelCache.shared().get(Path.of(model.getPath()));
        if (loaded.usesPreparedMethods(null)) {
            return new LayerChoices(TorchScriptModel.PREPARED_FEATURES, List.of(TorchScriptModel.PREPARED_FEATURES));
        }
        InputSpec spec = inputSpec();
        int c = spec.channels().length > 0 ? spec.channels().length
                : image.getType() == ImagePlus.COLOR_RGB ? 3 : image.getNChannels();
        if (loaded.inputChannels() > 0) {
            c = loaded.inputChannels();
        }
        int h = spec.resizes() ? spec.height() : image.getHeight();
        int w = spec.resizes() ? spec.width() : image.getWidth();
        long[] shape = volumes(loaded) ? new long[] {1, c, image.getNSlices(), h, w}
                : new long[] {1, c, h, w};
        LayerCatalogue catalogue = loaded.catalogue(shape);
        return new LayerChoices(catalogue.defaultCamLayer(), catalogue.spatialLayers());
    }

    /** The default layer (may be null) and the layers a CAM method can use. */
    public record LayerChoices(String defaultLayer, List<String> layers) {
    }

    /** The method options from the fields. */
    public ExplainOptions options() {
        return ExplainOptions.defaults().withLayer(AUTOMATIC.equals(layer) ? "" : layer).withSigned(signed)
                .withRelu(!no_relu).withCamWeights(cam_weights).withBatchSize(batch_size)
                .withSmoothGrad(samples, noise, seed).withIntegration(steps, integration, baseline)
                .withOcclusion(window, stride, baseline).withNearest(!"bilinear".equalsIgnoreCase(interpolation))
                .withLayout(LayerLayout.Kind.parse(layout), prefixTokens());
    }

    private int prefixTokens() {
        String p = prefix_tokens == null ? "" : prefix_tokens.trim();
        if (p.isEmpty() || p.equalsIgnoreCase("auto")) {
            return -1;
        }
        try {
            int n = Integer.parseInt(p);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InputException("prefix_tokens must be a number of tokens (0 or more) or blank, got \"" + p + "\".");
    }

    private InputSpec inputSpec() {
        int[] size = InputSpec.parseSize(input_size);
        return new InputSpec(InputSpec.parseChannels(channels), size[0], size[1], Scaling.parse(scale),
                InputSpec.parseFloats("mean", mean), InputSpec.parseFloats("std", std));
    }

    private void checkChannels(TorchScriptModel loaded, ModelInput input) {
        int expected = loaded.inputChannels();
        if (expected > 0 && expected != input.channels()) {
            String hint = input.channels() == 1
                    ? " To feed a greyscale image to a colour model, repeat its channel: channels=1,1,1."
                    : " Choose the image channels to use with channels=..., e.g. channels=1"
                    + (expected > 1 ? ",2" : "") + ".";
            throw new InputException("The model expects " + expected + " input channel(s) but the image gives "
                    + input.channels() + "." + hint);
        }
    }

    private String title(Method m) {
        String base = image.getTitle();
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        return base + "-" + m.label().toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    private String info(Method m, String outputUsed) {
        StringBuilder sb = new StringBuilder();
        sb.append("ExplainJ\n");
        sb.append("method=").append(m.label()).append('\n');
        sb.append("model=").append(model.getPath()).append('\n');
        if (result.layer() != null) {
            sb.append("layer=").append(result.layer()).append('\n');
        }
        if (outputUsed != null) {
            sb.append("output=").append(outputUsed).append('\n');
        }
        sb.append("target_class=").append(result.targetClass()).append('\n');
        sb.append("target=").append(target).append(counterfactual ? " (counterfactual)" : "")
                .append(region != null && !region.isBlank() && !region.equalsIgnoreCase("none") ? " in " + region : "")
                .append('\n');
        result.diagnostics().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        if (allZero(result.values())) {
            sb.append("note=the map is zero everywhere (e.g. the input equals the baseline, or the score does not "
                    + "depend on the input here)\n");
        }
        sb.append("target_score=").append(result.targetScore()).append('\n');
        sb.append("map_size=").append(result.grid()).append('\n');
        sb.append("normalized=").append(normalize).append('\n');
        return sb.toString();
    }

}
