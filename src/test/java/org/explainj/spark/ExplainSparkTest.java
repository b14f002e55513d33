package org.explainj.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
        Files.writeString(in.resolve("broken.tif"), "not an image");
        Path out = tmp.resolve("spark-out");
        Map<String, String> opts = Map.of("master", "local[2]", "input", in.toString(), "output", out.toString(),
                "model", MODEL, "method", "Grad-CAM", "parquet", "true");
        ExplainSpark.Summary s = ExplainSpark.run(opts);
        assertEquals(4, s.explained(), s.toString());
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
        assertTrue(Files.isRegularFile(out.resolve("well_b2-heatmap.tif")), "the subfolder's image");
        assertEquals(Files.readAllLines(cli.resolve("measurements.csv")),
                Files.readAllLines(out.resolve("measurements.csv")));

        // resume: one heatmap lost (a killed job), the rest is kept
        Files.delete(out.resolve("blobs_only_1-heatmap.tif"));
        long before = Files.getLastModifiedTime(out.resolve("ring_cell_1-heatmap.tif")).toMillis();
        ExplainSpark.Summary again = ExplainSpark.run(opts);
        assertEquals(1, again.explained() - 0, again.toString());
        assertEquals(3, again.skipped());
        assertTrue(Files.isRegularFile(out.resolve("blobs_only_1-heatmap.tif")));
        assertEquals(before, Files.getLastModifiedTime(out.resolve("ring_cell_1-heatmap.tif")).toMillis());
        assertEquals(Files.readAllLines(cli.resolve("measurements.csv")),
                Files.readAllLines(out.resolve("measurements.csv")));
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }
}
