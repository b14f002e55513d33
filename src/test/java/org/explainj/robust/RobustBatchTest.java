package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import java.awt.event.KeyEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.explainj.ExplainJException;
import org.explainj.cli.ExplainFolder;
import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.CancelledException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The headless batch (cli/ExplainFolder) with output folders that cannot be written, and stopping a batch. */
class RobustBatchTest {

    private static final String MODEL = Fixtures.RINGNET.toString();

    @TempDir
    Path tmp;

    @AfterEach
    void resetEscape() {
        IJ.resetEscape();
    }

    private Path inputFolder(int copies) throws IOException {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.copy(Path.of("test-images/demo/ring_cell_1.tif"), in.resolve("ring_cell_1.tif"));
        Files.copy(Path.of("test-images/demo/ring_cell_1_mask_disk.png"), in.resolve("ring_cell_1_mask_disk.png"));
        for (int i = 0; i < copies; i++) {
            Files.copy(Path.of("test-images/demo/ring_cell_2.tif"), in.resolve(String.format("copy_%02d.tif", i)));
        }
        return in;
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void readOnlyOutputFolderFailsBeforeAnyWork() throws IOException {
        Path in = inputFolder(1);
        // (the tests may run as root, for whom permissions do not apply; nobody can create folders in /proc)
        Path readOnly = Path.of("/proc/explainj-robust-out");
        ExplainJException e = assertThrows(ExplainJException.class, () -> ExplainFolder.run(Map.of("input",
                in.toString(), "output", readOnly.toString(), "model", MODEL)));
        Survey.record("batch: read-only output folder", e.getClass().getSimpleName() + ": " + e.getMessage());
        Survey.mentions(e.getMessage(), "Cannot write to the output folder", readOnly.toString(),
                "nothing was computed");
    }

    @Test
    void missingOutputFolderIsCreated() throws IOException {
        Path in = inputFolder(1);
        Path out = tmp.resolve("new/deeper/out");
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(), "model",
                MODEL, "method", "Saliency"));
        assertEquals(2, s.explained.size());
        assertTrue(files(out).containsAll(List.of("copy_00-heatmap.tif", "ring_cell_1-heatmap.tif",
                "measurements.csv")), files(out).toString());
        Survey.record("batch: missing output folder", "created; " + s.explained.size() + " images explained");
    }

    @Test
    void anOutputThatCannotBeWrittenIsReportedAndTheOthersAreKept() throws IOException {
        Path in = inputFolder(2);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.createDirectories(out.resolve("copy_00-heatmap.tif")); // a folder where the heatmap should go
        ExplainFolder.Summary s = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> ExplainFolder.run(Map.of(
                "input", in.toString(), "output", out.toString(), "model", MODEL, "method", "Saliency")));
        Survey.record("batch: one output cannot be written", s.toString().trim().replace('\n', ' '));
        assertEquals(List.of("copy_01.tif", "ring_cell_1.tif"), s.explained);
        assertTrue(s.failed.containsKey("copy_00.tif"), s.failed.toString());
        Survey.mentions(s.failed.get("copy_00.tif"), "copy_00", out.toString());
        assertTrue(Files.isRegularFile(out.resolve("ring_cell_1-heatmap.tif")));
        assertTrue(Files.readString(out.resolve("measurements.csv")).contains("ring_cell_1.tif,mask_disk"));
    }

    /** measurements.csv cannot be written at the end (e.g. the disk is full): the run must still say what it did. */
    @Test
    void unwritableMeasurementsKeepTheSummary() throws IOException {
        Path in = inputFolder(1);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.createDirectories(out.resolve("measurements.csv"));
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(),
                "model", MODEL, "method", "Saliency"));
        String seen = s.toString().trim().replace('\n', ' ');
        Survey.record("batch: measurements.csv cannot be written", seen);
        assertTrue(seen.contains("ring_cell_1") && seen.contains("measurements.csv") && seen.contains("Not done"),
                "the user learns neither what was explained nor what was not written: " + seen);
    }

    /**
     * Esc during a batch with a method that checks for cancellation (SmoothGrad): the images explained before are
     * kept, the others are listed as not explained, and measurements.csv has the finished images' rows.
     */
    @Test
    void escapeDuringABatchKeepsWhatWasDoneAndReportsTheRest() throws Exception {
        Path in = inputFolder(8);
        Path out = tmp.resolve("out");
        AtomicReference<ExplainFolder.Summary> summary = new AtomicReference<>();
        Thread esc = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (Files.isRegularFile(out.resolve("copy_01-heatmap.tif"))) {
                    IJ.setKeyDown(KeyEvent.VK_ESCAPE);
                    return;
                }
                IJ.wait(2);
            }
        });
        esc.start();
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> summary.set(ExplainFolder.run(Map.of("input",
                in.toString(), "output", out.toString(), "model", MODEL, "method", "SmoothGrad", "samples", "24",
                "batch_size", "4"))));
        esc.interrupt();
        ExplainFolder.Summary s = summary.get();
        Survey.record("batch: Esc after the 2nd image (SmoothGrad)", s.toString().trim().replace('\n', ' '));
        assertTrue(s.explained.size() >= 2 && s.explained.size() < 9, s.explained.toString());
        assertEquals(9, s.explained.size() + s.failed.size(), "every image is accounted for");
        s.failed.values().forEach(why -> Survey.mentions(why, "Cancelled"));
        for (String name : s.explained) {
            assertTrue(Files.isRegularFile(out.resolve(name.replace(".tif", "-heatmap.tif"))), name);
        }
        for (String name : s.failed.keySet()) {
            assertFalse(Files.exists(out.resolve(name.replace(".tif", "-heatmap.tif"))), "nothing written for " + name);
        }
        assertTrue(Files.isRegularFile(out.resolve("measurements.csv")));
    }

    /**
     * Esc during a batch with Saliency: neither ExplainFolder (between images) nor ExplainImageCommand (between
     * planes or targets) checks for cancellation; only the batched methods do, inside their batches.
     */
    @Test
    void escapeStopsABatchOfOnePassMethods() throws Exception {
        Path in = inputFolder(8);
        IJ.setKeyDown(KeyEvent.VK_ESCAPE);
        assertTrue(IJ.escapePressed());
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output",
                tmp.resolve("out").toString(), "model", MODEL, "method", "Saliency"));
        Survey.record("batch: Esc pressed, Saliency", s.toString().trim().replace('\n', ' '));
        assertTrue(s.explained.isEmpty(), "explained although Esc was pressed: " + s.explained);
    }

    @Test
    void escapeStopsAStackOfOnePassMethods() {
        ImageStack stack = new ImageStack(64, 64);
        for (int i = 0; i < 12; i++) {
            stack.addSlice("s" + i, new FloatProcessor(64, 64));
        }
        ExplainImageCommand cmd = Fixtures.command(new ImagePlus("stack", stack), Fixtures.TINY, "Grad-CAM");
        cmd.all_slices = true;
        cmd.progress.cancel(); // as if Esc was pressed before (or during) the first plane
        String seen;
        try {
            cmd.run();
            seen = "not stopped: " + cmd.heatmap.getStackSize() + " heatmaps";
        } catch (CancelledException e) {
            seen = "CancelledException: " + e.getMessage();
        }
        Survey.record("stack: Esc during all_slices, Grad-CAM", seen);
        assertTrue(seen.startsWith("CancelledException"), seen);
    }

    /**
     * Masks that cannot be used: one of another size (drawn on another image?) and one that is not an image. Each
     * fails its own image with a message (an unreadable mask used to stop the whole folder with a
     * NullPointerException); the other images are explained.
     */
    @Test
    void aMaskOfTheWrongSizeOrNotAnImageFailsOnlyItsImage() throws IOException {
        Path in = inputFolder(2);
        new ij.io.FileSaver(IJ.createImage("m", "8-bit white", 40, 30, 1)).saveAsPng(
                in.resolve("copy_00_mask_cell.png").toString());
        Files.writeString(in.resolve("copy_01_mask_cell.png"), "not an image");
        Path out = tmp.resolve("out");
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(),
                "model", MODEL, "method", "Saliency"));
        Survey.record("batch: a mask of another size", s.failed.get("copy_00.tif"));
        Survey.record("batch: a mask that is not an image", s.failed.get("copy_01.tif"));
        assertEquals(List.of("ring_cell_1.tif"), s.explained, s.toString());
        Survey.mentions(s.failed.get("copy_00.tif"), "copy_00_mask_cell.png", "40×30", "96×96");
        Survey.mentions(s.failed.get("copy_01.tif"), "cannot open the mask", "copy_01_mask_cell.png");
        assertTrue(!Files.exists(out.resolve("copy_00-heatmap.tif")), "no output for an image whose ROIs failed");
    }

    /** Two images with one name but different extensions: each gets its outputs (they overwrote each other). */
    @Test
    void imagesWithOneStemKeepTheirExtensionInTheOutputNames() throws IOException {
        Path in = inputFolder(0);
        ij.ImagePlus png = IJ.openImage("test-images/demo/ring_cell_2.tif");
        png.setProcessor(png.getProcessor().convertToByte(true));
        new ij.io.FileSaver(png).saveAsPng(in.resolve("ring_cell_1.png").toString());
        Path out = tmp.resolve("out");
        ExplainFolder.Summary s = ExplainFolder.run(Map.of("input", in.toString(), "output", out.toString(),
                "model", MODEL, "method", "Saliency"));
        Survey.record("batch: a.tif and a.png in one folder", "outputs " + files(out));
        assertTrue(files(out).containsAll(List.of("ring_cell_1.png-heatmap.tif", "ring_cell_1.tif-heatmap.tif")),
                files(out).toString());
        assertEquals(2, s.explained.size());
    }
}
