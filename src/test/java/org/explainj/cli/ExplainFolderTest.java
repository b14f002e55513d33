package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.OvalRoi;
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
import org.explainj.model.ModelCache;
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
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ExplainFolder.run(
                Map.of("input", in.toString(), "output", tmp.resolve("o").toString(), "model", MODEL, "methd", "x")));
        assertTrue(bad.getMessage().contains("--methd"), bad.getMessage());
    }

    @Test
    void zStacksWithA3dModelGiveHeatmapStacksAndTheOverlayOfThePeakSlice() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in3d"));
        for (String n : new String[] {"shell_1.tif", "balls_only_1.tif"}) {
            Files.copy(Path.of("test-images/demo3d", n), in.resolve(n));
        }
        Path out = tmp.resolve("out3d");
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(),
                "model", Path.of("test-images/demo3d/vol3d.pt").toAbsolutePath().toString(), "method", "Grad-CAM"));
        assertEquals(List.of("balls_only_1.tif", "shell_1.tif"), s.explained);
        ImagePlus heat = IJ.openImage(out.resolve("shell_1-heatmap.tif").toString());
        assertEquals(16, heat.getStackSize());
        assertEquals(32, heat.getWidth());
        // the PNG is the image's peak slice with that slice's overlay drawn in
        int peak = org.explainj.render.HeatmapImages.peakSlice(heat);
        ImagePlus png = IJ.openImage(out.resolve("shell_1-overlay.png").toString());
        assertEquals(32, png.getWidth());
        ImagePlus plain = IJ.openImage(in.resolve("shell_1.tif").toString());
        plain.setSlice(peak);
        // the overlay changes the peak slice's pixels (the heatmap is drawn in)
        int[] rgb = (int[]) png.getProcessor().convertToRGB().getPixels();
        int[] bare = (int[]) plain.getProcessor().convertToRGB().getPixels();
        assertTrue(!java.util.Arrays.equals(rgb, bare));
    }
}
