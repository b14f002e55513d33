package org.explainj.cli;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.StackStatistics;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.explainj.ExplainJException;
import org.explainj.command.ExplainImageCommand;
import org.explainj.model.ModelCache;
import org.explainj.render.HeatmapImages;

/**
 * The shipped demo: explains the demo images in {@code test-images/demo} with the demo model (a small CNN trained
 * to find a ring-shaped cell among blobs) and writes, per image and method, the heatmap (32-bit TIFF, raw values)
 * and the image with the heatmap overlay (PNG), plus a summary; then the 3-D demo: two z-stacks in
 * {@code test-images/demo3d} explained as volumes by a small Conv3d model (a hollow shell vs solid balls), giving
 * heatmap z-stacks and the overlay of the slice where each map peaks.
 *
 * <p>Usage: {@code Demo [output folder] [model.pt] [images...]}; defaults: {@code demo-output}, the demo model and
 * images.
 */
public final class Demo {

    private static final Path DEMO = Path.of("test-images", "demo");
    private static final Path DEMO_3D = Path.of("test-images", "demo3d");

    private Demo() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(args.length > 0 ? args[0] : "demo-output");
        Path model = args.length > 1 ? Path.of(args[1]) : DEMO.resolve("ringnet_traced.pt");
        List<Path> images = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            images.add(Path.of(args[i]));
        }
        boolean shipped = images.isEmpty() && args.length < 2;
        if (images.isEmpty()) {
            for (String n : new String[] {"ring_cell_1.tif", "ring_cell_2.tif", "blobs_only_1.tif"}) {
                images.add(DEMO.resolve(n));
            }
        }
        Files.createDirectories(out);
        StringBuilder summary = new StringBuilder("image\tmethod\tclass\tlabel\tscore\tmap_max\theatmap\toverlay\n");
        try {
            for (Path image : images) {
                for (String method : new String[] {"Grad-CAM", "Saliency"}) {
                    summary.append(explain(image, model, method, out)).append('\n');
                }
            }
            if (shipped) {
                // the 3-D demo: z-stacks explained as volumes by a Conv3d model
                for (String n : new String[] {"shell_1.tif", "balls_only_1.tif"}) {
                    summary.append(explain(DEMO_3D.resolve(n), DEMO_3D.resolve("vol3d.pt"), "Grad-CAM", out))
                            .append('\n');
                }
            }
        } catch (ExplainJException e) {
            System.err.println("ExplainJ error: " + e.getMessage());
            System.exit(2);
        }
        Files.writeString(out.resolve("summary.tsv"), summary.toString());
        System.out.print(summary);
        System.out.println("Wrote heatmaps and overlays to " + out.toAbsolutePath());
        System.exit(0); // libtorch keeps non-daemon threads
    }

    private static String explain(Path image, Path model, String method, Path out) {
        ImagePlus imp = IJ.openImage(image.toString());
        if (imp == null) {
            throw new ExplainJException("Cannot open the image " + image + ".");
        }
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = model.toFile();
        cmd.method = method;
        cmd.overlay = true;
        cmd.opacity = 0.5;
        cmd.run();
        String stem = cmd.heatmap.getTitle();
        File heat = out.resolve(stem + ".tif").toFile();
        File overlay = out.resolve(stem + "-overlay.png").toFile();
        // FileSaver, not IJ.saveAs: the latter builds ImageJ's menus, which needs a display.
        new FileSaver(cmd.heatmap).saveAsTiff(heat.getPath());
        // a z-stack: the slice where the map peaks, with its overlay
        new FileSaver(HeatmapImages.flattenPlane(imp, imp.getStackIndex(1, HeatmapImages.peakSlice(cmd.heatmap), 1)))
                .saveAsPng(overlay.getPath());
        int c = cmd.result.targetClass();
        List<String> labels = ModelCache.shared().get(model).labels();
        return String.join("\t", image.getFileName().toString(), method, Integer.toString(c),
                c < labels.size() ? labels.get(c) : "", String.format(Locale.ROOT, "%.4f", cmd.result.targetScore()),
                String.format(Locale.ROOT, "%.4g", new StackStatistics(cmd.heatmap).max), heat.getName(),
                overlay.getName());
    }
}
