package org.explainj.render;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.process.FloatProcessor;
import ij.process.LUT;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.real.FloatType;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.ExplainRequest;
import org.explainj.explain.Explainers;
import org.explainj.explain.Target;
import org.explainj.explain.Targets;
import org.explainj.bioimage.BioimagePackage;
import org.explainj.bioimage.TestTensors;
import org.explainj.explain.OpenModel;
import org.explainj.model.ModelLabels;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ImageTensors;
import org.explainj.tensor.InputException;
import org.explainj.tensor.MinMax;
import org.explainj.tensor.InputSpec;
import org.explainj.tensor.ModelInput;
import org.explainj.tensor.Padding;
import org.explainj.tensor.Resample;
import org.explainj.tensor.Scaling;

/**
 * Explains an image as a request asks: which planes (or, for a 3-D model, which frames' z-stacks) become model
 * inputs, which targets each gets, the heatmap image laid out as a hyperstack (targets as channels, z, planes or
 * frames), its Info, the calibration bar and the overlay on the image. What the Explain Image command and the batch
 * run share.
 */
public final class ImageExplanation {

    /**
     * The heatmap image, the first map as an ImgLib2 image (at the shown resolution), and the core result of the
     * last explained plane and target.
     */
    public record Result(ImagePlus heatmap, Img<FloatType> attribution, Attribution last, List<String> notes) {
    }

    /** The latest heatmap made from each image (weak: closed images are forgotten). */
    private static final java.util.Map<ImagePlus, ImagePlus> LATEST = java.util.Collections.synchronizedMap(
            new java.util.WeakHashMap<>());

    private final ImagePlus image;
    private final ExplainRequest request;
    private final ImageJProgress progress;

    private ImageExplanation(ImagePlus image, ExplainRequest request, ImageJProgress progress) {
        this.image = image;
        this.request = request;
        this.progress = progress;
    }

    /** Explains {@code image}; the image's pixels never change (an overlay is added when the request asks). */
    public static Result run(ImagePlus image, ExplainRequest request, ImageJProgress progress) {
        if (image == null || image.getProcessor() == null) {
            throw new InputException("No image: open the image to explain first.");
        }
        // a locked image keeps its pixels when its window is closed during the run (ImagePlus.flush())
        boolean locked = image.lockSilently();
        try {
            return new ImageExplanation(image, request, progress).explain();
        } finally {
            if (locked) {
                image.unlock();
            }
        }
    }

    /**
     * The current plane's model-input values at the image's resolution (after scaling, mean/std or a package's
     * preprocessing), and how such values become the model's input (a resize to {@code input_size}, a package's
     * padding): what Evaluate Explanation perturbs pixel by pixel. 2-D models only.
     */
    public record PlaneInput(ModelInput atImage, UnaryOperator<ModelInput> toModel, OpenModel opened,
                             List<String> labels) {
    }

    /** The latest heatmap made from {@code image} in this session, or null. */
    public static ImagePlus latestHeatmap(ImagePlus image) {
        return LATEST.get(image);
    }

    /** The current plane of {@code image} as {@link PlaneInput}. */
    public static PlaneInput planeInput(ImagePlus image, ExplainRequest request) {
        return planeInput(image, request, null);
    }

    /** The plane (z, t) of {@code image} as {@link PlaneInput}; null: the current plane. */
    public static PlaneInput planeInput(ImagePlus image, ExplainRequest request, int[] zt) {
        ImageExplanation e = new ImageExplanation(image, request, new ImageJProgress());
        OpenModel opened = OpenModel.open(request.model());
        BioimagePackage pkg = opened.pkg();
        if (request.volumes(opened)) {
            throw new InputException("The model " + request.model().getFileName() + " takes volumes; Evaluate "
                    + "Explanation, Sanity Check and Compare Methods work with 2-D models only (Explain Image and "
                    + "Measure Attribution take volumes).");
        }
        int[] czt = image.convertIndexToPosition(image.getCurrentSlice());
        int z = zt != null ? zt[0] : czt[1];
        int t = zt != null ? zt[1] : czt[2];
        if (z < 1 || z > image.getNSlices() || t < 1 || t > image.getNFrames()) {
            throw new InputException("The heatmap was made from plane z=" + z + ", t=" + t + " of \"" + image.getTitle()
                    + "\", which has " + image.getNSlices() + " slice(s) and " + image.getNFrames() + " frame(s) now. "
                    + "Evaluate it with the image it was made from.");
        }
        InputSpec spec = e.inputSpec(pkg);
        ModelInput x0 = ImageTensors.toTensor(ImageBridge.channels(image, z, t), spec.withSize(0, 0));
        if (pkg != null && !request.setsNormalization()) {
            x0 = pkg.preprocess(x0);
        }
        Grid sized = spec.resizes() ? Grid.plane(spec.width(), spec.height()) : x0.grid();
        Grid fitted = pkg != null ? pkg.fit(sized) : sized;
        Grid atImage = x0.grid();
        UnaryOperator<ModelInput> toModel = x -> {
            ModelInput y = x;
            if (!sized.equals(atImage)) {
                float[] out = new float[x.channels() * sized.size()];
                for (int c = 0; c < x.channels(); c++) {
                    float[] plane = Arrays.copyOfRange(x.data(), c * atImage.size(), (c + 1) * atImage.size());
                    System.arraycopy(Resample.linear(plane, atImage, sized), 0, out, c * sized.size(), sized.size());
                }
                y = new ModelInput(out, x.channels(), sized.height(), sized.width());
            }
            return fitted.equals(sized) ? y : Padding.padEnd(y, fitted);
        };
        checkChannels(opened.model(), toModel.apply(x0));
        return new PlaneInput(x0, toModel, opened, request.labels(opened));
    }

    private Result explain() {
        OpenModel opened = OpenModel.open(request.model());
        TorchScriptModel model = opened.model();
        BioimagePackage pkg = opened.pkg();
        List<String> notes = new ArrayList<>();
        List<String> packageInfo = new ArrayList<>();
        if (pkg != null) {
            TestTensors.Result test = pkg.test(model);
            notes.add((test.failed() ? "WARNING: " : "") + "the package " + pkg.label() + " " + test.text()
                    + (test.passed() || test.failed() ? "" : " (test not run)"));
            packageInfo.addAll(pkg.infoLines());
            packageInfo.add("package_test=" + test.status() + ": " + test.text());
            if (request.setsNormalization()) {
                notes.add("scale/mean/std were given, so they replace the package's preprocessing ("
                        + pkg.preprocessingText() + ")");
                packageInfo.add("package_preprocessing_replaced_by=scale " + request.input().scaling().key()
                        + " mean " + Arrays.toString(request.input().mean()) + " std "
                        + Arrays.toString(request.input().std()));
            }
        }
        List<String> labels = request.labels(opened);
        boolean volumes = request.volumes(opened);
        if (volumes && image.getNSlices() < 2) {
            String why = !"auto".equals(request.modelDims()) ? " (model_dims=3d)" : pkg != null
                    ? " (the package's input has a z axis: " + pkg.input().axesText() + ")"
                    : " (its first convolution weight, " + model.firstConvolutionWeight() + ", is 5-D: a Conv3d)";
            throw new InputException("The model " + request.model().getFileName() + " is a 3-D model" + why
                    + " and explains a z-stack as one volume, but the image \"" + image.getTitle() + "\" has one "
                    + "z-slice" + (image.getNFrames() > 1 ? " and " + image.getNFrames() + " frames: if the frames "
                    + "are really z-slices, swap them with Image > Hyperstacks > Re-order Hyperstack" : "")
                    + ". Open a z-stack" + (pkg != null ? "." : ", or, if the model takes 2-D images, set "
                    + "model_dims=2d."));
        }
        // one unit per model input: a (z, t) plane for 2-D models, a frame's z-stack for 3-D models (z = 0)
        List<int[]> units = volumes ? frames() : planes();
        int iw = image.getWidth();
        int ih = image.getHeight();
        Grid imageGrid = volumes ? Grid.volume(iw, ih, image.getNSlices()) : Grid.plane(iw, ih);
        ExplainRequest.Display show = request.display();
        Target region = region();
        List<float[]> shown = new ArrayList<>();
        List<float[]> atImage = new ArrayList<>();
        List<String> unitLabels = new ArrayList<>();
        List<Integer> unitClasses = new ArrayList<>();
        Grid shownGrid = imageGrid;
        int perUnit = 0;
        long[] lastShape = null;
        Attribution last = null;
        for (int p = 0; p < units.size(); p++) {
            int[] zt = units.get(p);
            ModelInput input = ImageTensors.toTensor(volumes ? ImageBridge.volumeChannels(image, zt[1])
                    : ImageBridge.channels(image, zt[0], zt[1]), inputSpec(pkg));
            Grid unpadded = input.grid();
            if (pkg != null) {
                Grid fitted = pkg.fit(unpadded);
                if (!request.setsNormalization()) {
                    input = pkg.preprocess(input);
                }
                if (!fitted.equals(unpadded)) {
                    input = Padding.padEnd(input, fitted);
                    if (p == 0) {
                        notes.add("the input was padded from " + unpadded + " to " + fitted + " (the sizes "
                                + pkg.label() + " accepts) by mirroring; the maps are cropped back");
                        packageInfo.add("padded=" + unpadded + " to " + fitted);
                    }
                }
            }
            checkChannels(model, input);
            lastShape = input.shape();
            List<Target> targets = Targets.parse(request.target(), request.counterfactual(), region,
                    request.output(), labels, model, input);
            perUnit = targets.size();
            for (int k = 0; k < targets.size(); k++) {
                int step = p * targets.size() + k;
                ExplainOptions options = request.options().withProgress(progress.step(step,
                        units.size() * targets.size()));
                options.progress().check(); // Esc between planes and targets, also for one-pass methods
                Attribution a = Explainers.of(request.method()).explain(model, input, targets.get(k), options);
                ModelLabels.requireMatch(labels, a.scores().length);
                last = a;
                boolean padded = !unpadded.equals(input.grid());
                float[] full = padded ? Resample.linear(Padding.cropStart(a.valuesAt(input.grid()), input.grid(),
                        unpadded), unpadded, imageGrid) : a.valuesAt(imageGrid);
                boolean layerSize = show.layerResolution() && a.layer() != null;
                float[] values = layerSize ? a.values().clone() : full;
                shownGrid = layerSize ? a.grid() : imageGrid;
                if (layerSize && padded) {
                    Grid covered = coveredPart(a.grid(), input.grid(), unpadded);
                    values = Padding.cropStart(values, a.grid(), covered);
                    shownGrid = covered;
                }
                if (show.normalize()) {
                    MinMax.normalizeInPlace(values);
                    if (values != full) {
                        MinMax.normalizeInPlace(full);
                    }
                }
                shown.add(values);
                atImage.add(full);
                unitLabels.add(sliceLabel(labels, a, targets.size() > 1, units.size() > 1 && !volumes, zt));
                unitClasses.add(a.targetClass());
            }
        }
        progress.done();
        LUT colours = Luts.forMap(show.lut(), anyNegative(shown));
        // ImageJ's stack order: target (as channel) fastest, then z, then unit (plane or frame)
        int depth = shownGrid.slices();
        List<float[]> slices = new ArrayList<>();
        List<String> sliceLabels = new ArrayList<>();
        StringBuilder sliceClasses = new StringBuilder();
        StringBuilder slicePlanes = new StringBuilder();
        for (int p = 0; p < units.size(); p++) {
            for (int z = 0; z < depth; z++) {
                for (int k = 0; k < perUnit; k++) {
                    int entry = p * perUnit + k;
                    sliceClasses.append(sliceClasses.length() == 0 ? "" : ",").append(unitClasses.get(entry));
                    slicePlanes.append(slicePlanes.length() == 0 ? "" : ",").append(units.get(p)[0]).append(':')
                            .append(units.get(p)[1]);
                    slices.add(planeOf(shown.get(entry), shownGrid, z));
                    sliceLabels.add(volumes ? volumeSliceLabel(unitLabels.get(entry), z, depth, units.size() > 1,
                            units.get(p)[1]) : unitLabels.get(entry));
                }
            }
        }
        ImagePlus heatmap = HeatmapImages.createStack(title(), slices, sliceLabels, shownGrid.width(),
                shownGrid.height(), colours, image.getCalibration(), iw, ih);
        if (volumes) {
            heatmap.setDimensions(perUnit, depth, units.size());
            heatmap.setOpenAsHyperStack(perUnit > 1 || units.size() > 1);
            heatmap.getCalibration().pixelDepth = image.getCalibration().pixelDepth * image.getNSlices() / depth;
        } else if (perUnit > 1 || units.size() > 1) {
            heatmap.setDimensions(perUnit, units.size(), 1);
            heatmap.setOpenAsHyperStack(perUnit > 1 && units.size() > 1);
        }
        String outputUsed = model.severalOutputs() ? model.outputLabel(lastShape, request.output()) : null;
        // the target class of every slice (the last one's is target_class): what Evaluate Explanation scores
        // and, for a 2-D model, the image plane (z:t) each slice explains: what Evaluate Explanation perturbs
        heatmap.setProperty("Info", info(last, outputUsed, packageInfo) + (slices.size() > 1 ? "slice_classes="
                + sliceClasses + "\n" : "") + (volumes ? "" : "slice_planes=" + slicePlanes + "\n"));
        if (show.calibrationBar()) {
            CalibrationBars.add(heatmap);
        }
        if (show.overlay()) {
            addOverlay(units, perUnit, atImage, imageGrid, colours, heatmap, volumes);
        }
        LATEST.put(image, heatmap);
        return new Result(heatmap, ArrayImgs.floats(shown.get(0), shownGrid.dimensions()), last, notes);
    }

    private void addOverlay(List<int[]> units, int perUnit, List<float[]> atImage, Grid imageGrid, LUT colours,
                            ImagePlus heatmap, boolean volumes) {
        boolean positioned = units.size() > 1 || volumes;
        for (int p = 0; p < units.size(); p++) {
            float[] first = atImage.get(p * perUnit);
            for (int z = 0; z < imageGrid.slices(); z++) {
                // its own pixels: the overlay must not change when the heatmap is edited
                float[] own = imageGrid.isVolume() ? planeOf(first, imageGrid, z) : first.clone();
                FloatProcessor fp = new FloatProcessor(image.getWidth(), image.getHeight(), own);
                fp.setColorModel(colours);
                fp.setMinAndMax(heatmap.getDisplayRangeMin(), heatmap.getDisplayRangeMax());
                int zz = volumes ? z + 1 : units.get(p)[0];
                int t = units.get(p)[1];
                HeatmapImages.addOverlay(image, fp, request.display().opacity(),
                        HeatmapImages.OVERLAY_PREFIX + request.method().label(), roi -> {
                            if (!positioned) {
                                return;
                            }
                            if (image.isHyperStack() || image.getNChannels() > 1) {
                                roi.setPosition(0, zz, t); // every channel of plane (z, t)
                            } else {
                                // a plain stack: ImageJ draws an element on the slice of its stack position only
                                roi.setPosition(image.getStackIndex(1, zz, t));
                            }
                        });
            }
        }
    }

    /** Slice z of a plane or volume map (a copy for volumes; the array itself for planes). */
    private static float[] planeOf(float[] values, Grid grid, int z) {
        if (!grid.isVolume()) {
            return values;
        }
        return Arrays.copyOfRange(values, z * grid.planeSize(), (z + 1) * grid.planeSize());
    }

    /** The frames to explain with a 3-D model, as (0, t): all with {@code all_slices}, else the current one. */
    private List<int[]> frames() {
        List<int[]> frames = new ArrayList<>();
        if (request.display().allSlices() && image.getNFrames() > 1) {
            for (int t = 1; t <= image.getNFrames(); t++) {
                frames.add(new int[] {0, t});
            }
        } else {
            frames.add(new int[] {0, image.convertIndexToPosition(image.getCurrentSlice())[2]});
        }
        return frames;
    }

    /** The (z, t) planes to explain: all of a stack with {@code all_slices}, else the current one. */
    private List<int[]> planes() {
        List<int[]> planes = new ArrayList<>();
        if (request.display().allSlices() && image.getNSlices() * image.getNFrames() > 1) {
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

    /** A heatmap slice label for a 3-D map: the target's label, the image's own slice label or z, and the frame. */
    private String volumeSliceLabel(String target, int z, int depth, boolean byFrame, int t) {
        String original = depth == image.getNSlices()
                ? image.getStack().getShortSliceLabel(image.getStackIndex(1, z + 1, t)) : null;
        String where = original != null && !original.isBlank() ? original : "z=" + (z + 1);
        return target + " " + where + (byFrame ? " t=" + t : "");
    }

    private Target region() {
        String r = request.region() == null ? "" : request.region().trim();
        if (r.isEmpty() || r.equalsIgnoreCase("none")) {
            return null;
        }
        return Target.TOP.inRegion(Regions.mask(image, r), image.getWidth(), image.getHeight());
    }

    private String sliceLabel(List<String> names, Attribution a, boolean byClass, boolean byPlane, int[] zt) {
        StringBuilder sb = new StringBuilder();
        if (byClass || !byPlane) {
            sb.append("class ").append(a.targetClass());
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

    private static String joined(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int x : v) {
            sb.append(sb.length() == 0 ? "" : ",").append(x);
        }
        return sb.toString();
    }

    private static String joined(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (float x : v) {
            sb.append(sb.length() == 0 ? "" : ",").append(x);
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

    private static boolean allZero(float[] v) {
        for (float f : v) {
            if (f != 0) {
                return false;
            }
        }
        return true;
    }

    private static void checkChannels(TorchScriptModel model, ModelInput input) {
        int expected = model.inputChannels();
        if (expected > 0 && expected != input.channels()) {
            String hint = input.channels() == 1
                    ? " To feed a greyscale image to a colour model, repeat its channel: channels=1,1,1."
                    : " Choose the image channels to use with channels=..., e.g. channels=1"
                    + (expected > 1 ? ",2" : "") + ".";
            throw new InputException("The model expects " + expected + " input channel(s) but the image gives "
                    + input.channels() + "." + hint);
        }
    }

    private String title() {
        String base = image.getTitle();
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot);
        }
        return base + "-" + request.method().label().toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    /**
     * How the image's values become the model input: as the request says, or, for a package, raw values (its own
     * preprocessing follows) unless the request sets the normalisation itself.
     */
    private InputSpec inputSpec(BioimagePackage pkg) {
        return pkg == null || request.setsNormalization() ? request.input()
                : request.input().withScaling(Scaling.NONE);
    }

    /** The cells of a layer map (on {@code layer}) that cover the unpadded part of the padded input. */
    private static Grid coveredPart(Grid layer, Grid padded, Grid unpadded) {
        int w = (int) Math.ceil(layer.width() * (double) unpadded.width() / padded.width());
        int h = (int) Math.ceil(layer.height() * (double) unpadded.height() / padded.height());
        int d = layer.isVolume() ? (int) Math.ceil(layer.depth() * (double) unpadded.depth() / padded.depth()) : 0;
        return layer.withSize(w, h, d);
    }

    private String info(Attribution result, String outputUsed, List<String> packageInfo) {
        StringBuilder sb = new StringBuilder();
        sb.append("ExplainJ\n");
        sb.append("method=").append(request.method().label()).append('\n');
        sb.append("model=").append(request.model()).append('\n');
        sb.append("image=").append(image.getTitle()).append('\n');
        if (result.layer() != null) {
            sb.append("layer=").append(result.layer()).append('\n');
        }
        if (outputUsed != null) {
            sb.append("output=").append(outputUsed).append('\n');
        }
        sb.append("target_class=").append(result.targetClass()).append('\n');
        String region = request.region();
        sb.append("target=").append(request.target()).append(request.counterfactual() ? " (counterfactual)" : "")
                .append(region != null && !region.isBlank() && !region.equalsIgnoreCase("none") ? " in " + region : "")
                .append('\n');
        result.diagnostics().forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        if (allZero(result.values())) {
            sb.append("note=the map is zero everywhere (e.g. the input equals the baseline, or the score does not "
                    + "depend on the input here)\n");
        }
        sb.append("target_score=").append(result.targetScore()).append('\n');
        sb.append("map_size=").append(result.grid()).append('\n');
        sb.append("normalized=").append(request.display().normalize()).append('\n');
        packageInfo.forEach(line -> sb.append(line).append('\n'));
        // the input keys, so that Evaluate Explanation can give the model the same input
        InputSpec in = request.input();
        sb.append("key.scale=").append(in.scaling().key()).append('\n');
        sb.append("key.channels=").append(joined(in.channels())).append('\n');
        sb.append("key.input_size=").append(in.resizes() ? in.width() + "x" + in.height() : "").append('\n');
        sb.append("key.mean=").append(joined(in.mean())).append('\n');
        sb.append("key.std=").append(joined(in.std())).append('\n');
        sb.append("key.output=").append(request.output() == null ? "" : request.output()).append('\n');
        sb.append("key.model_dims=").append(request.modelDims()).append('\n');
        return sb.toString();
    }
}
