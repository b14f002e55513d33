package org.explainj.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.explainj.cli.ExplainFolder;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job with local[2] on a folder of demo images (one in a subfolder, one broken file): the same heatmaps
 * as ExplainFolder bit for bit, the same measurement rows, the broken image in failures.csv, and a second run that
 * only redoes what is missing.
 */
@Slow
class ExplainSparkTest {

    private static final String MODEL = Path.of("test-images/demo/ringnet_traced.pt").toAbsolutePath().toString();

    @TempDir
    Path tmp;

    @Test
    void localSparkWritesWhatExplainFolderWritesRecordsFailuresAndResumes() throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        for (String n : new String[] {"ring_cell_1.tif", "ring_cell_1_mask_disk.png", "blobs_only_1.tif",
            "ring_cell_2.tif"}) {
            Files.copy(Path.of("test-images/demo", n), in.resolve(n));
        }
        Path sub = Files.createDirectories(in.resolve("plate2"));
        Files.copy(Path.of("test-images/demo/ring_cell_2.tif"), sub.resolve("well_b2.tif"));
        // another plate's image with the name of a top-level one (plates often share well names)
        Files.copy(Path.of("test-images/demo/blobs_only_1.tif"), sub.resolve("ring_cell_1.tif"));
        Files.writeString(in.resolve("broken.tif"), "not an image");
        Path out = tmp.resolve("spark-out");
        Map<String, String> opts = Map.of("master", "local[2]", "input", in.toString(), "output", out.toString(),
                "model", MODEL, "method", "Grad-CAM", "parquet", "true");
        ExplainSpark.Summary s = ExplainSpark.run(opts);
        assertEquals(5, s.explained(), s.toString());
        assertEquals(List.of(in.resolve("broken.tif").toAbsolutePath().toString()), s.failed());
        List<String> failures = Files.readAllLines(out.resolve("failures.csv"));
        assertTrue(failures.get(1).contains("broken.tif") && failures.get(1).contains("cannot open"),
                failures.toString());
        assertTrue(Files.isDirectory(out.resolve("measurements.parquet")));

        // ExplainFolder on the top folder: same heatmaps (bit for bit) and rows
        Path cli = tmp.resolve("cli-out");
        ExplainFolder.run(Map.of("input", in.toString(), "output", cli.toString(), "model", MODEL, "method",
                "Grad-CAM"));
        for (String base : new String[] {"ring_cell_1", "blobs_only_1", "ring_cell_2"}) {
            float[] a = (float[]) IJ.openImage(out.resolve(base + "-heatmap.tif").toString()).getProcessor()
                    .getPixels();
            float[] b = (float[]) IJ.openImage(cli.resolve(base + "-heatmap.tif").toString()).getProcessor()
                    .getPixels();
            assertArrayEquals(b, a, base);
        }
        assertTrue(Files.isRegularFile(out.resolve("plate2/well_b2-heatmap.tif")), "the subfolder's image");
        float[] top = (float[]) IJ.openImage(out.resolve("ring_cell_1-heatmap.tif").toString()).getProcessor()
                .getPixels();
        float[] plate2 = (float[]) IJ.openImage(out.resolve("plate2/ring_cell_1-heatmap.tif").toString())
                .getProcessor().getPixels();
        float[] blobs = (float[]) IJ.openImage(cli.resolve("blobs_only_1-heatmap.tif").toString()).getProcessor()
                .getPixels();
        assertArrayEquals(blobs, plate2, "plate2/ring_cell_1.tif has its own heatmap (a copy of blobs_only_1)");
        assertFalse(java.util.Arrays.equals(top, plate2), "the top-level ring_cell_1 heatmap was overwritten");
        assertEquals(Files.readAllLines(cli.resolve("measurements.csv")),
                Files.readAllLines(out.resolve("measurements.csv")));

        // resume: one heatmap lost (a killed job), the rest is kept
        Files.delete(out.resolve("blobs_only_1-heatmap.tif"));
        long before = Files.getLastModifiedTime(out.resolve("ring_cell_1-heatmap.tif")).toMillis();
        ExplainSpark.Summary again = ExplainSpark.run(opts);
        assertEquals(1, again.explained() - 0, again.toString());
        assertEquals(4, again.skipped());
        assertTrue(Files.isRegularFile(out.resolve("blobs_only_1-heatmap.tif")));
        assertEquals(before, Files.getLastModifiedTime(out.resolve("ring_cell_1-heatmap.tif")).toMillis());
        assertEquals(Files.readAllLines(cli.resolve("measurements.csv")),
                Files.readAllLines(out.resolve("measurements.csv")));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    /**
     * A CSV table: images in two folders (one path holding a comma, quoted), a mask and a RoiSet named in columns,
     * a mask of the wrong size and a missing image (both failures, the job goes on). The mask named in the table
     * measures what ExplainFolder measures with the same mask beside the image.
     */
    @Test
    void aTableNamesImagesRoisAndMasks() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("plate1"));
        Path b = Files.createDirectories(tmp.resolve("plate 2"));
        Files.copy(Path.of("test-images/demo/ring_cell_1.tif"), a.resolve("A01.tif"));
        Files.copy(Path.of("test-images/demo/ring_cell_2.tif"), b.resolve("A01, repeat.tif"));
        Files.copy(Path.of("test-images/demo/ring_cell_1_mask_disk.png"), a.resolve("disk.png"));
        Files.copy(Path.of("test-images/demo/blobs_only_1.tif"), b.resolve("big.tif"));
        ij.ImagePlus small = ij.IJ.createImage("m", "8-bit white", 10, 10, 1);
        new ij.io.FileSaver(small).saveAsPng(b.resolve("small_mask.png").toString());
        Path rois = b.resolve("cells.zip");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(rois))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("cell.roi"));
            zip.write(ij.io.RoiEncoder.saveAsByteArray(new ij.gui.OvalRoi(10, 12, 30, 25)));
            zip.closeEntry();
        }
        Path table = tmp.resolve("campaign.csv");
        Files.writeString(table, "Image,ROI,Mask,Plate\n"
                + "plate1/A01.tif,,plate1/disk.png,1\n"
                + "\"plate 2/A01, repeat.tif\",plate 2/cells.zip,,2\n"
                + "plate 2/big.tif,,plate 2/small_mask.png,2\n"
                + "plate1/missing.tif,,,1\n");
        Path out = tmp.resolve("out");
        ExplainSpark.Summary s = ExplainSpark.run(Map.of("master", "local[2]", "input", table.toString(), "output",
                out.toString(), "model", MODEL, "method", "Grad-CAM"));
        assertEquals(2, s.explained(), s.toString());
        assertEquals(2, s.failed().size(), s.toString());
        assertTrue(Files.isRegularFile(out.resolve("plate1/A01-heatmap.tif")));
        assertTrue(Files.isRegularFile(out.resolve("plate 2/A01, repeat-heatmap.tif")));
        String failures = Files.readString(out.resolve("failures.csv"));
        assertTrue(failures.contains("10×10") && failures.contains("missing.tif") && failures.contains("does not exist"),
                failures);
        List<List<String>> rows = org.explainj.cli.MeasurementTable.read(Files.readString(out.resolve(
                "measurements.csv")));
        assertEquals(3, rows.size(), rows.toString()); // header, the disk mask, the RoiSet's oval
        assertEquals(List.of("plate1/A01.tif", "disk"), rows.get(1).subList(0, 2));
        assertEquals(List.of("plate 2/A01, repeat.tif", "cell"), rows.get(2).subList(0, 2));

        // the same image and mask as ExplainFolder finds them (the mask beside the image): the same numbers
        Path folder = Files.createDirectories(tmp.resolve("folder"));
        Files.copy(Path.of("test-images/demo/ring_cell_1.tif"), folder.resolve("A01.tif"));
        Files.copy(Path.of("test-images/demo/ring_cell_1_mask_disk.png"), folder.resolve("A01_mask_disk.png"));
        Path cli = tmp.resolve("cli");
        ExplainFolder.run(Map.of("input", folder.toString(), "output", cli.toString(), "model", MODEL, "method",
                "Grad-CAM"));
        List<List<String>> cliRows = org.explainj.cli.MeasurementTable.read(Files.readString(cli.resolve(
                "measurements.csv")));
        assertEquals(cliRows.get(1).subList(2, cliRows.get(1).size()), rows.get(1).subList(2, rows.get(1).size()));
    }
}
