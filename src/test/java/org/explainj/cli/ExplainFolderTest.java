package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.io.FileSaver;
import ij.io.RoiEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.explainj.ExplainJException;
import org.explainj.explain.OptionException;
import org.explainj.command.ExplainImageCommand;
import org.explainj.model.ModelCache;
import org.explainj.testutil.Demo3d;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The headless batch over a folder: outputs, ROI measurements checked independently, one model load. */
class ExplainFolderTest {

    private static final String MODEL = Path.of("test-images/demo/ringnet_traced.pt").toAbsolutePath().toString();

    @TempDir
    Path tmp;

    private Path demoFolder(int copies) throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        for (String n : new String[] {"ring_cell_1.tif", "ring_cell_1_mask_disk.png", "blobs_only_1.tif"}) {
            Files.copy(Path.of("test-images/demo", n), in.resolve(n));
        }
        for (int i = 0; i < copies; i++) {
            Files.copy(Path.of("test-images/demo/ring_cell_2.tif"), in.resolve(String.format("copy_%03d.tif", i)));
        }
        // an ROI Manager RoiSet for blobs_only_1: one oval
        try (OutputStream out = Files.newOutputStream(in.resolve("blobs_only_1.zip"));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("oval.roi"));
            zip.write(RoiEncoder.saveAsByteArray(new OvalRoi(10, 20, 30, 25)));
            zip.closeEntry();
        }
        return in;
    }

    @Test
    void explainsEveryImageWritesOutputsAndMeasuresTheRois() throws IOException {
        Path in = demoFolder(2);
        Path out = tmp.resolve("out");
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(),
                "model", MODEL, "method", "Grad-CAM"));
        System.out.print(s);
        assertEquals(List.of("blobs_only_1.tif", "copy_000.tif", "copy_001.tif", "ring_cell_1.tif"), s.explained);
        for (String base : new String[] {"blobs_only_1", "copy_000", "copy_001", "ring_cell_1"}) {
            ImagePlus heat = IJ.openImage(out.resolve(base + "-heatmap.tif").toString());
            assertEquals(ImagePlus.GRAY32, heat.getType());
            assertEquals(96, heat.getWidth());
            assertTrue(Files.size(out.resolve(base + "-overlay.png")) > 0);
        }
        List<String> csv = Files.readAllLines(out.resolve("measurements.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        // independent computation for the disk mask of ring_cell_1
        ImagePlus heat = IJ.openImage(out.resolve("ring_cell_1-heatmap.tif").toString());
        ImagePlus mask = IJ.openImage("test-images/demo/ring_cell_1_mask_disk.png");
        float[] v = (float[]) heat.getProcessor().getPixels();
        double sum = 0;
        double positive = 0;
        double insidePositive = 0;
        int n = 0;
        int argmax = 0;
        for (int i = 0; i < v.length; i++) {
            positive += Math.max(v[i], 0);
            if (v[i] > v[argmax]) {
                argmax = i;
            }
            if (mask.getProcessor().getf(i) != 0) {
                sum += v[i];
                insidePositive += Math.max(v[i], 0);
                n++;
            }
        }
        String[] disk = csv.stream().filter(l -> l.startsWith("ring_cell_1.tif,mask_disk")).findFirst()
                .orElseThrow().split(",");
        assertEquals(n, Double.parseDouble(disk[2]), 1e-9, "Area (pixels, uncalibrated)");
        assertEquals(sum / n, Double.parseDouble(disk[3]), 1e-6, "Mean");
        assertEquals(sum, Double.parseDouble(disk[4]), 1e-4, "IntDen");
        assertEquals(insidePositive / positive, Double.parseDouble(disk[6]), 1e-6, "Fraction");
        assertEquals(mask.getProcessor().getf(argmax) != 0 ? 1 : 0, Integer.parseInt(disk[7]), "Pointing");
        assertEquals(1, Integer.parseInt(disk[7]), "Grad-CAM's maximum lies on the ring cell");
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("blobs_only_1.tif,oval,")), "RoiSet zip measured");
    }

    @Test
    void aFolderOfImagesLoadsAndPreparesTheModelOnce() throws IOException {
        Path in = demoFolder(20);
        ModelCache.shared().get(Path.of(MODEL));
        int rewrites = ModelCache.shared().rewrites();
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output",
                tmp.resolve("out").toString(), "model", MODEL, "method", "Saliency"));
        System.out.print(s);
        assertEquals(22, s.explained.size());
        assertEquals(0, s.modelLoads, "the model stays loaded across the folder");
        assertEquals(rewrites, ModelCache.shared().rewrites(), "no archive rewrite");
    }

    @Test
    void anUnwritableOutputFailsBeforeAnyWork() throws IOException {
        Path in = demoFolder(0);
        Path notAFolder = Files.writeString(tmp.resolve("file.txt"), "x");
        ExplainJException e = assertThrows(ExplainJException.class, () -> ExplainFolder.run(Map.of("input",
                in.toString(), "output", notAFolder.resolve("sub").toString(), "model", MODEL)));
        assertTrue(e.getMessage().contains("Cannot write to the output folder") && e.getMessage().contains("nothing"),
                e.getMessage());
        OptionException bad = assertThrows(OptionException.class, () -> ExplainFolder.run(
                Map.of("input", in.toString(), "output", tmp.resolve("o").toString(), "model", MODEL, "methd", "x")));
        assertTrue(bad.getMessage().contains("--methd") && bad.getMessage().contains("--method"), bad.getMessage());
    }

    @Test
    void zStacksWithA3dModelGiveHeatmapStacksTheOverlayOfThePeakSliceAndPerSliceMeasurements()
            throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in3d"));
        for (String n : new String[] {"shell_1.tif", "balls_only_1.tif"}) {
            Files.copy(Path.of("test-images/demo3d", n), in.resolve(n));
        }
        // a whole-plane mask (no slice: measured on the peak slice) and a RoiSet ROI placed on slice 3
        ij.process.ByteProcessor all = new ij.process.ByteProcessor(32, 32);
        all.setColor(255);
        all.fill();
        new FileSaver(new ImagePlus("m", all)).saveAsPng(in.resolve("shell_1_mask_all.png").toString());
        Roi onThree = new ij.gui.Roi(4, 6, 20, 12);
        onThree.setPosition(3);
        try (OutputStream out = Files.newOutputStream(in.resolve("shell_1.zip"));
             ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("box.roi"));
            zip.write(RoiEncoder.saveAsByteArray(onThree));
            zip.closeEntry();
        }
        Path out = tmp.resolve("out3d");
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(),
                "model", Path.of("test-images/demo3d/vol3d.pt").toAbsolutePath().toString(), "method", "Grad-CAM"));
        assertEquals(List.of("balls_only_1.tif", "shell_1.tif"), s.explained);
        ImagePlus heat = IJ.openImage(out.resolve("shell_1-heatmap.tif").toString());
        assertEquals(16, heat.getStackSize());
        assertEquals(32, heat.getWidth());
        int peak = org.explainj.render.HeatmapImages.peakSlice(heat);
        // the PNG = the image's peak slice with that slice's overlay, as the command makes it
        ExplainImageCommand cmd = Demo3d.command(IJ.openImage(in.resolve("shell_1.tif").toString()), "Grad-CAM");
        cmd.overlay = true;
        cmd.run();
        ImagePlus png = IJ.openImage(out.resolve("shell_1-overlay.png").toString());
        assertArrayEquals((int[]) org.explainj.render.HeatmapImages.flattenPlane(cmd.image, peak).getProcessor()
                .getPixels(), (int[]) png.getProcessor().convertToRGB().getPixels());
        // measurements: the mask on the peak slice (its max = the volume's max, Pointing 1), the box on slice 3
        float volumeMax = Float.NEGATIVE_INFINITY;
        for (int z = 1; z <= 16; z++) {
            for (float f : (float[]) heat.getStack().getPixels(z)) {
                volumeMax = Math.max(volumeMax, f);
            }
        }
        float boxMax = Float.NEGATIVE_INFINITY;
        float[] three = (float[]) heat.getStack().getPixels(3);
        for (int y = 6; y < 18; y++) {
            for (int x = 4; x < 24; x++) {
                boxMax = Math.max(boxMax, three[y * 32 + x]);
            }
        }
        List<String> csv = Files.readAllLines(out.resolve("measurements.csv"));
        String box = csv.stream().filter(l -> l.startsWith("shell_1.tif,box:")).findFirst().orElseThrow();
        String mask = csv.stream().filter(l -> l.startsWith("shell_1.tif,mask_all:")).findFirst().orElseThrow();
        assertTrue(box.contains(":z=3,") || box.contains("z=3"), box);
        assertTrue(mask.contains("z=" + peak), mask);
        assertEquals(boxMax, Float.parseFloat(box.split(",")[5]), 1e-6f, box);
        assertEquals(volumeMax, Float.parseFloat(mask.split(",")[5]), 1e-6f, mask);
        assertEquals("1", mask.split(",")[7]);
    }

    /**
     * A bioimage.io package as the model: the folder's 16-bit images are preprocessed as the package says, and the
     * heatmap equals the one Explain Image makes from the same package.
     */
    @Test
    void aBioimagePackageIsAModelToo() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("pkg-in"));
        org.explainj.bioimage.NpyArray raw = org.explainj.bioimage.NpyArray.read(org.explainj.testutil.Resources
                .path("bioimageio/unet2d_v05/ref/raw.npy"));
        short[] px = new short[raw.size()];
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) Math.round(raw.data()[i]);
        }
        ImagePlus imp = new ImagePlus("nuclei", new ij.process.ShortProcessor(80, 64, px, null));
        assertTrue(new FileSaver(imp).saveAsTiff(in.resolve("nuclei.tif").toString()));
        String pkg = org.explainj.testutil.Resources.path("bioimageio/unet2d_v05.zip").toString();
        Path out = tmp.resolve("pkg-out");
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(),
                "model", pkg, "method", "Saliency", "target", "nucleus"));
        assertEquals(List.of("nuclei.tif"), s.explained, s.toString());
        assertTrue(s.toString().contains("Note: the package ExplainJ test U-Net 2D reproduces its test output"),
                s.toString());
        ImagePlus heat = IJ.openImage(out.resolve("nuclei-heatmap.tif").toString());
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = new java.io.File(pkg);
        cmd.method = "Saliency";
        cmd.target = "nucleus";
        cmd.run();
        assertArrayEquals((float[]) cmd.heatmap.getProcessor().getPixels(), (float[]) heat.getProcessor()
                .getPixels());
    }

    /**
     * --evaluate both: evaluation.csv has each image's AUCs (equal to Evaluate Explanation's on the same heatmap) and
     * summary.csv the mean ± sd, the pointing-game accuracy and the energy share over the ROI rows.
     */
    @Test
    void evaluationMetricsPerImageAndASummary() throws IOException {
        Path in = demoFolder(1);
        Path out = tmp.resolve("out-eval");
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(),
                "model", MODEL, "method", "Grad-CAM", "evaluate", "both", "evaluate_steps", "10"));
        assertTrue(s.failed.isEmpty(), s.toString());
        List<String> rows = Files.readAllLines(out.resolve("evaluation.csv"));
        assertEquals("Image,Deletion AUC,Insertion AUC,Steps,Note", rows.get(0));
        assertEquals(1 + s.explained.size(), rows.size());
        String ring = rows.stream().filter(r -> r.startsWith("ring_cell_1.tif,")).findFirst().orElseThrow();
        ImagePlus image = IJ.openImage(in.resolve("ring_cell_1.tif").toString());
        ExplainImageCommand explain = new ExplainImageCommand();
        explain.image = image;
        explain.model = new java.io.File(MODEL);
        explain.method = "Grad-CAM";
        explain.run();
        org.explainj.command.EvaluateExplanationCommand e = new org.explainj.command.EvaluateExplanationCommand();
        e.image = image;
        e.heatmapImage = explain.heatmap;
        e.steps = 10;
        e.addToResults = false;
        e.run();
        String[] c = ring.split(",");
        assertEquals(e.curves.deletionAuc(), Double.parseDouble(c[1]), 1e-9);
        assertEquals(e.curves.insertionAuc(), Double.parseDouble(c[2]), 1e-9);
        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals("Method,Metric,Mean,SD,N", summary.get(0));
        assertTrue(summary.stream().anyMatch(l -> l.startsWith("Grad-CAM,Deletion AUC,")), summary.toString());
        String pointing = summary.stream().filter(l -> l.startsWith("Grad-CAM,Pointing game accuracy,")).findFirst()
                .orElseThrow(() -> new AssertionError("no pointing row: " + summary));
        assertEquals(String.valueOf(s.rows), pointing.substring(pointing.lastIndexOf(',') + 1), "over the ROI rows");
    }

    /**
     * A model whose forward returns a dict {logits, features}: --model_output chooses what is explained (Explain
     * Image's output= key; --output is the folder), a wrong name is reported per image, and --output given twice is
     * refused instead of the second silently replacing the folder.
     */
    @Test
    void modelOutputChoosesTheExplainedOutputAndOutputTwiceIsRefused() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        ImagePlus rgb = IJ.createImage("x", "RGB ramp", 16, 16, 1);
        new FileSaver(rgb).saveAsTiff(in.resolve("x.tif").toString());
        String model = Path.of("src/test/resources/models/refused/dict_output_scripted.pt").toAbsolutePath()
                .toString();
        float[][] maps = new float[2][];
        String[] outputs = {"logits", "features"};
        for (int k = 0; k < 2; k++) {
            Path out = tmp.resolve("out-" + outputs[k]);
            ExplainFolder.Summary s = ExplainFolder.run(ExplainFolder.parse(new String[] {"--input", in.toString(),
                "--output", out.toString(), "--model", model, "--method", "Saliency", "--model_output", outputs[k],
                "--target", "0"}));
            assertEquals(List.of("x.tif"), s.explained, s.toString());
            ImagePlus heat = IJ.openImage(out.resolve("x-heatmap.tif").toString());
            maps[k] = (float[]) heat.getProcessor().getPixels();
            assertTrue(heat.getInfoProperty().contains(outputs[k]), heat.getInfoProperty());
        }
        assertTrue(!java.util.Arrays.equals(maps[0], maps[1]), "both runs explained the same output");
        ExplainFolder.Summary wrong = ExplainFolder.run(Map.of("input", in.toString(), "output",
                tmp.resolve("out-aux").toString(), "model", model, "model_output", "aux"));
        assertTrue(wrong.failed.getOrDefault("x.tif", "").contains("no output \"aux\""), wrong.toString());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> ExplainFolder.parse(
                new String[] {"--input", "a", "--output", "b", "--output", "logits"}));
        assertTrue(twice.getMessage().contains("--model_output"), twice.getMessage());
    }
}
