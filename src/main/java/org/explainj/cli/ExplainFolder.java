package org.explainj.cli;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.io.FileSaver;
import ij.io.RoiDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.explainj.ExplainJException;
import org.explainj.explain.ExplainRequest;
import org.explainj.explain.Keys;
import org.explainj.explain.Values;
import org.explainj.render.ImageExplanation;
import org.explainj.render.ImageJProgress;
import org.explainj.render.HeatmapImages;
import org.explainj.render.HeatmapRegions;
import org.explainj.measure.AttributionMap;
import org.explainj.measure.AttributionMeasures;
import org.explainj.measure.Region;
import org.explainj.model.ModelCache;

/**
 * Explains every image of a folder without a display (no ImageJ window, no ROI Manager): the headless twin of
 * {@code macros/Explain_Folder.ijm}. Per image it writes {@code <name>-heatmap.tif} and {@code <name>-overlay.png},
 * and {@code measurements.csv} gets one row per ROI of {@code <name>.zip} (an ROI Manager RoiSet), {@code <name>.roi}
 * or the masks {@code <name>_mask*.png}. The model is loaded and prepared once.
 *
 * <p>Usage: {@code ExplainFolder --input DIR --output DIR --model FILE [--KEY VALUE]...} where KEY is any macro key of
 * {@code Explain Image...} ({@code --method Grad-CAM --layer layer4 --target top3 --overlay true}...).
 */
public final class ExplainFolder {

    private ExplainFolder() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        try {
            Summary s = run(parse(args));
            System.out.println(s);
            System.exit(s.failed.isEmpty() ? 0 : 1);
        } catch (ExplainJException | IllegalArgumentException e) {
            System.err.println("ExplainJ error: " + e.getMessage());
            System.exit(2);
        }
    }

    /** What a run did. */
    public static final class Summary {
        public final List<String> explained = new ArrayList<>();
        public final Map<String, String> failed = new LinkedHashMap<>();
        /** Notes on the run (a package's test result, padding), each once. */
        public final java.util.Set<String> notes = new java.util.LinkedHashSet<>();
        public int rows;
        public long millis;
        public int modelLoads;

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "Explained %d image(s) in %.1f s (%.0f ms per image), %d ROI row(s); model loads: %d%n",
                    explained.size(), millis / 1000.0, explained.isEmpty() ? 0.0 : (double) millis / explained.size(),
                    rows, modelLoads));
            if (!explained.isEmpty()) {
                sb.append("Explained: ").append(String.join(", ", explained.subList(0, Math.min(10,
                        explained.size())))).append(explained.size() > 10 ? ", ..." : "").append('\n');
            }
            notes.forEach(n -> sb.append("Note: ").append(n).append('\n'));
            failed.forEach((f, why) -> sb.append("Not done: ").append(f).append(": ").append(why).append('\n'));
            return sb.toString();
        }
    }

    static Map<String, String> parse(String[] args) {
        return parse(args, "ExplainFolder --input DIR --output DIR --model FILE [--method NAME] [--KEY VALUE]...");
    }

    /** {@code --key value} pairs as a map; anything else is refused with the usage line. */
    public static Map<String, String> parse(String[] args, String usage) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("Arguments are --key value pairs; got \"" + args[i] + "\". Usage: "
                        + usage);
            }
            String key = args[i].substring(2);
            if (opts.put(key, args[++i]) != null) {
                throw new IllegalArgumentException("--" + key + " is given twice." + ("output".equals(key)
                        ? " --output is the output folder; the model output to explain (Explain Image's output= key) "
                        + "is --" + MODEL_OUTPUT + "." : "") + " Usage: " + usage);
            }
        }
        return opts;
    }

    /**
     * On the command line {@code --output} is the output folder, so Explain Image's {@code output=} key (which of the
     * model's outputs is explained) is given as {@code --model_output}.
     */
    public static final String MODEL_OUTPUT = "model_output";

    /** Runs the folder; {@code opts} holds input, output, model and any Explain Image key. */
    public static Summary run(Map<String, String> opts) {
        Map<String, String> keys = new LinkedHashMap<>(opts);
        Path input = Path.of(required(keys, "input"));
        Path output = Path.of(required(keys, "output"));
        required(keys, "model");
        if (!Files.isDirectory(input)) {
            throw new ExplainJException("The input folder does not exist: " + input);
        }
        try {
            Files.createDirectories(output);
            Path probe = Files.createTempFile(output, ".explainj", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new ExplainJException("Cannot write to the output folder " + output + " (" + e.getMessage()
                    + "). Choose a writable folder; nothing was computed.");
        }
        // the request, checked once before any work; the overlay is drawn for the PNG
        Map<String, String> explainKeys = new LinkedHashMap<>(keys);
        explainKeys.remove("input");
        explainKeys.remove("output");
        Evaluation evaluation = Evaluation.of(explainKeys.remove("evaluate"), explainKeys.remove("evaluate_steps"));
        ExplainRequest request = request(explainKeys, "--input, --output, --evaluate, --evaluate_steps");
        Summary summary = new Summary();
        int loadsBefore = ModelCache.shared().loads();
        long t0 = System.nanoTime();
        StringBuilder csv = new StringBuilder(measurementsHeader() + "\n");
        List<ImageJob> jobs = BatchInputs.folder(input, false, output);
        for (ImageJob job : jobs) {
            try {
                summary.rows += explainOne(job, output, request, csv, summary.notes, evaluation);
                summary.explained.add(job.label());
            } catch (org.explainj.explain.CancelledException e) {
                for (ImageJob rest : jobs) {
                    if (!summary.explained.contains(rest.label())) {
                        summary.failed.putIfAbsent(rest.label(), e.getMessage());
                    }
                }
                break;
            } catch (ExplainJException e) {
                summary.failed.put(job.label(), e.getMessage());
            }
        }
        summary.millis = (System.nanoTime() - t0) / 1_000_000;
        summary.modelLoads = ModelCache.shared().loads() - loadsBefore;
        try {
            Files.writeString(output.resolve("measurements.csv"), csv.toString());
        } catch (IOException e) {
            summary.failed.put("measurements.csv", "cannot be written to " + output + " (" + e.getMessage() + ")");
        }
        if (evaluation.asked()) {
            try {
                Files.writeString(output.resolve("evaluation.csv"), evaluation.csv());
                Files.writeString(output.resolve("summary.csv"), evaluation.summary(request.method().label(),
                        csv.toString()));
            } catch (IOException e) {
                summary.failed.put("evaluation.csv", "cannot be written to " + output + " (" + e.getMessage() + ")");
            }
        }
        return summary;
    }

    /**
     * The request the Explain Image keys ask for (the overlay is drawn for the PNG); an unknown key is refused with
     * the list of options ({@code extra}: the caller's own options, listed first).
     */
    public static ExplainRequest request(Map<String, String> batchKeys, String extra) {
        Map<String, String> explainKeys = new LinkedHashMap<>(batchKeys); // (the callers took --output out)
        String modelOutput = explainKeys.remove(MODEL_OUTPUT);
        if (modelOutput != null) {
            explainKeys.put(Keys.OUTPUT.key(), modelOutput);
        }
        for (String key : explainKeys.keySet()) {
            if (Keys.named(key) == null) {
                StringBuilder known = new StringBuilder(extra);
                Keys.ALL.forEach(o -> known.append(", --").append(o == Keys.OUTPUT ? MODEL_OUTPUT : o.key()));
                throw new org.explainj.explain.OptionException("Unknown option --" + key + ". The options are: "
                        + known + ". Nothing was computed.");
            }
        }
        return ExplainRequest.of(Values.parse(explainKeys).with(Keys.OVERLAY, true));
    }

    /** What one image gave: its measurement rows (CSV lines without the header) and notes. */
    public record ImageResult(List<String> rows, java.util.Set<String> notes) {
    }

    private static int explainOne(ImageJob job, Path output, ExplainRequest request, StringBuilder csv,
                                  java.util.Set<String> notes, Evaluation evaluation) {
        ImageResult r = explainImage(job, output, request, evaluation);
        notes.addAll(r.notes());
        r.rows().forEach(row -> csv.append(row).append('\n'));
        return r.rows().size();
    }

    /**
     * Explains one image: writes {@code <name>-heatmap.tif} and {@code <name>-overlay.png} into {@code output}
     * (each written under a temporary name and then renamed, so no file is ever half-written) and measures its ROIs
     * (rows of {@link MeasurementTable}).
     */
    public static ImageResult explainImage(ImageJob job, Path output, ExplainRequest request, Evaluation evaluation) {
        Path file = job.imagePath();
        if (!Files.isRegularFile(file)) {
            throw new ExplainJException("The image file " + file + " does not exist.");
        }
        ImagePlus imp = IJ.openImage(file.toString());
        if (imp == null) {
            throw new ExplainJException("ImageJ cannot open this file as an image.");
        }
        // the ROIs are read before any work: a missing or unreadable ROI file or mask fails the image
        List<PlacedRegion> regions = job.regionsNamed() ? namedRegions(job, imp)
                : regions(file.getParent(), stem(file.getFileName().toString()), imp);
        ImageExplanation.Result result = ImageExplanation.run(imp, request, new ImageJProgress());
        java.util.Set<String> notes = new java.util.LinkedHashSet<>(result.notes());
        ImagePlus heatmap = result.heatmap();
        if (evaluation != null && evaluation.asked()) {
            evaluation.add(job.label(), imp, heatmap);
        }
        String base = job.name();
        ImagePlus overlay = HeatmapImages.flattenPlane(imp, overlayPlane(imp, heatmap));
        Path heatmapFile = output.resolve(base + "-heatmap.tif");
        try {
            Files.createDirectories(heatmapFile.getParent());
        } catch (IOException e) {
            throw new ExplainJException("Cannot create " + heatmapFile.getParent() + " (" + e.getMessage() + ").");
        }
        writeAtomically(heatmapFile, p -> new FileSaver(heatmap).saveAsTiff(p), base, output);
        writeAtomically(output.resolve(base + "-overlay.png"), p -> new FileSaver(overlay).saveAsPng(p), base,
                output);
        List<String> lines = new ArrayList<>();
        if (regions.isEmpty()) {
            return new ImageResult(lines, notes);
        }
        // a heatmap stack: ROIs with a stack position are measured on their slice, the others on the peak slice
        ImagePlus heat = heatmap;
        heat.setSlice(heat.getStackIndex(1, HeatmapImages.peakSlice(heat), 1));
        Map<Integer, AttributionMap> maps = new java.util.HashMap<>();
        for (PlacedRegion p : regions) {
            String name = p.region().name();
            int index = p.roi() != null ? HeatmapRegions.stackIndex(heat, p.roi(), name)
                    : heat.getCurrentSlice();
            AttributionMap map = maps.computeIfAbsent(index, k -> HeatmapRegions.attributionMap(heat, k));
            String label = heat.getStackSize() > 1 ? name + ":" + heat.getStack().getShortSliceLabel(index) : name;
            lines.add(MeasurementTable.row(job.label(), AttributionMeasures.measure(map, p.region(), label)));
        }
        return new ImageResult(lines, notes);
    }

    /** Writes through {@code save} into a temporary file beside {@code target}, then renames it into place. */
    static void writeAtomically(Path target, java.util.function.Predicate<String> save, String base, Path output) {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            if (!save.test(tmp.toString())) {
                throw new ExplainJException("Cannot write the outputs of " + base + " to " + output + ".");
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ExplainJException("Cannot write the outputs of " + base + " to " + output + " ("
                    + e.getMessage() + ").");
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing left to clean
            }
        }
    }

    /** The header of measurements.csv. */
    public static String measurementsHeader() {
        return MeasurementTable.header();
    }

    /**
     * The plane of a stack shown in the flattened overlay PNG: for a z-stack (one frame) the slice where the map
     * peaks (a layer-resolution map's slice mapped to the image's); otherwise the image's current plane.
     */
    static int overlayPlane(ImagePlus imp, ImagePlus heatmap) {
        if (imp.getNSlices() > 1 && heatmap.getNSlices() > 1 && imp.getNFrames() == 1) {
            int peak = HeatmapImages.peakSlice(heatmap);
            int z = Math.min(imp.getNSlices(), (int) ((peak - 0.5) * imp.getNSlices() / heatmap.getNSlices()) + 1);
            return imp.getStackIndex(1, z, 1);
        }
        return imp.getCurrentSlice();
    }

    /** A ROI to measure: the region and, for ROIs from a RoiSet or .roi file, the ROI with its stack position. */
    record PlacedRegion(Region region, Roi roi) {
    }

    /** The ROIs beside an image: {@code base.zip}, {@code base.roi}, and {@code base_mask*.png|tif} masks. */
    static List<PlacedRegion> regions(Path dir, String base, ImagePlus image) {
        List<PlacedRegion> regions = new ArrayList<>();
        Path zip = dir.resolve(base + ".zip");
        if (Files.isRegularFile(zip)) {
            regions.addAll(rois(zip));
        }
        Path single = dir.resolve(base + ".roi");
        if (Files.isRegularFile(single)) {
            regions.addAll(rois(single));
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path mask : files.sorted().toList()) {
                String n = mask.getFileName().toString();
                if (n.startsWith(base + "_mask") && isImage(n)) {
                    regions.add(mask(mask, stem(n.substring(base.length() + 1)), image));
                }
            }
        } catch (IOException e) {
            throw new ExplainJException("Cannot list " + dir + ": " + e.getMessage());
        }
        return regions;
    }

    /** The ROIs a table names for an image: its ROI file (.roi or RoiSet .zip) and masks. */
    private static List<PlacedRegion> namedRegions(ImageJob job, ImagePlus image) {
        List<PlacedRegion> regions = new ArrayList<>();
        if (job.roi() != null) {
            Path roi = Path.of(job.roi());
            if (!Files.isRegularFile(roi)) {
                throw new ExplainJException("The ROI file " + roi + " does not exist.");
            }
            regions.addAll(rois(roi));
        }
        for (String m : job.masks()) {
            Path mask = Path.of(m);
            if (!Files.isRegularFile(mask)) {
                throw new ExplainJException("The mask " + mask + " does not exist.");
            }
            regions.add(mask(mask, stem(mask.getFileName().toString()), image));
        }
        return regions;
    }

    /** The ROIs of a .roi file or an ROI Manager RoiSet (.zip). */
    private static List<PlacedRegion> rois(Path file) {
        List<PlacedRegion> regions = new ArrayList<>();
        String n = file.getFileName().toString();
        if (n.toLowerCase(Locale.ROOT).endsWith(".zip")) {
            try (ZipFile z = new ZipFile(file.toFile())) {
                for (ZipEntry e : java.util.Collections.list(z.entries())) {
                    if (e.getName().endsWith(".roi")) {
                        Roi roi = RoiDecoder.openFromByteArray(z.getInputStream(e).readAllBytes());
                        if (roi != null) {
                            regions.add(new PlacedRegion(HeatmapRegions.region(roi, stem(e.getName())), roi));
                        }
                    }
                }
            } catch (IOException e) {
                throw new ExplainJException("Cannot read the ROI set " + file + ": " + e.getMessage());
            }
            return regions;
        }
        Roi roi;
        try {
            roi = new RoiDecoder(file.toString()).getRoi();
        } catch (IOException e) {
            throw new ExplainJException("Cannot read the ROI " + file + ": " + e.getMessage());
        }
        if (roi == null) {
            throw new ExplainJException("The file " + file + " is not an ImageJ ROI (.roi) or RoiSet (.zip).");
        }
        regions.add(new PlacedRegion(HeatmapRegions.region(roi, stem(n)), roi));
        return regions;
    }

    /** A mask image as a region: nonzero pixels inside; it must have the image's width and height. */
    private static PlacedRegion mask(Path file, String name, ImagePlus image) {
        ImagePlus m = IJ.openImage(file.toString());
        if (m == null) {
            throw new ExplainJException("ImageJ cannot open the mask " + file + " as an image.");
        }
        if (m.getWidth() != image.getWidth() || m.getHeight() != image.getHeight()) {
            throw new ExplainJException("The mask " + file.getFileName() + " is " + m.getWidth() + "×"
                    + m.getHeight() + " but its image is " + image.getWidth() + "×" + image.getHeight()
                    + ": a mask must have the image's size.");
        }
        boolean[] inside = new boolean[m.getWidth() * m.getHeight()];
        for (int i = 0; i < inside.length; i++) {
            inside[i] = m.getProcessor().getf(i) != 0;
        }
        return new PlacedRegion(Region.fromFullMask(name, inside, m.getWidth(), m.getHeight()), null);
    }

    private static String required(Map<String, String> keys, String key) {
        String v = keys.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + key + " is required. Usage: ExplainFolder --input DIR --output "
                    + "DIR --model FILE [--method NAME] [--KEY VALUE]...");
        }
        return v;
    }

    public static boolean isImage(String n) {
        String l = n.toLowerCase(Locale.ROOT);
        return l.endsWith(".tif") || l.endsWith(".tiff") || l.endsWith(".png") || l.endsWith(".jpg");
    }

    public static String stem(String n) {
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
