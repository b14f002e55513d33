package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import ij.ImagePlus;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.Window;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import net.imagej.patcher.LegacyEnvironment;
import org.explainj.cli.ExplainFolder;
import org.explainj.cli.MeasurementTable;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code macros/Explain_Folder.ijm} in a real (hidden) ImageJ with the ROI Manager, under Xvfb, on a copy of the demo
 * folder: heatmaps, flattened overlays and measurements.csv, whose rows must equal those of the headless
 * {@link ExplainFolder} on the same folder (the two batch routes agree).
 */
@Slow
class ExplainFolderMacroTest {

    @TempDir
    Path tmp;

    private String log = "";

    @Test
    void theBatchMacroWritesTheSameOutputsAsTheCommandLine() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        for (String n : new String[] {"ring_cell_1.tif", "ring_cell_1_mask_disk.png", "ring_cell_1_mask_ring.png",
            "blobs_only_1.tif"}) {
            Files.copy(Path.of("test-images/demo", n), in.resolve(n));
        }
        // a name with a comma (quoted in the tables) and two images with one stem (outputs keep the extension)
        Files.copy(Path.of("test-images/demo/ring_cell_2.tif"), in.resolve("cell, 2.tif"));
        Files.copy(Path.of("test-images/demo/ring_cell_2_mask_disk.png"), in.resolve("cell, 2_mask_disk.png"));
        ImagePlus blobs = IJ.openImage("test-images/demo/blobs_only_1.tif");
        blobs.setProcessor(blobs.getProcessor().convertToByte(true));
        new ij.io.FileSaver(blobs).saveAsPng(in.resolve("blobs_only_1.png").toString());
        Path model = Path.of("test-images/demo/ringnet_traced.pt").toAbsolutePath();
        Path macroOut = tmp.resolve("macro-out");
        runMacro(in, macroOut, model);
        for (String base : new String[] {"ring_cell_1", "blobs_only_1.tif", "blobs_only_1.png", "cell, 2"}) {
            ImagePlus heat = IJ.openImage(macroOut.resolve(base + "-heatmap.tif").toString());
            assertTrue(heat != null, "no heatmap for " + base);
            assertEquals(ImagePlus.GRAY32, heat.getType());
            ImagePlus overlay = IJ.openImage(macroOut.resolve(base + "-overlay.png").toString());
            assertEquals(ImagePlus.COLOR_RGB, overlay.getType());
        }
        List<String> rows = assertSameRows(in, macroOut, model, 4);
        assertTrue(rows.get(1).startsWith("\"cell, 2.tif\",") && rows.get(1).contains("mask_disk"), rows.get(1));
    }

    /** evaluate=[both]: the macro's evaluation.csv equals ExplainFolder --evaluate both, image by image. */
    @Test
    void theBatchMacroEvaluatesLikeTheCommandLine() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in-eval"));
        for (String n : new String[] {"ring_cell_1.tif", "blobs_only_1.tif"}) {
            Files.copy(Path.of("test-images/demo", n), in.resolve(n));
        }
        Path model = Path.of("test-images/demo/ringnet_traced.pt").toAbsolutePath();
        Path macroOut = tmp.resolve("macro-eval");
        runMacro(in, macroOut, model, " evaluate=[both]");
        Path cliOut = tmp.resolve("cli-eval");
        ExplainFolder.run(Map.of("input", in.toString(), "output", cliOut.toString(), "model", model.toString(),
                "method", "Grad-CAM", "evaluate", "both"));
        List<String> macroRows = Files.readAllLines(macroOut.resolve("evaluation.csv"));
        List<String> cliRows = Files.readAllLines(cliOut.resolve("evaluation.csv"));
        assertEquals(3, macroRows.size(), String.join("\n", macroRows) + "\nlog:\n" + log);
        for (int i = 1; i < 3; i++) {
            String[] m = macroRows.get(i).split(",");
            String[] c = cliRows.get(i).split(",");
            assertEquals(c[0], m[0]);
            assertEquals(Double.parseDouble(c[1]), Double.parseDouble(m[1]), 1e-6, "deletion AUC of " + c[0]);
            assertEquals(Double.parseDouble(c[2]), Double.parseDouble(m[2]), 1e-6, "insertion AUC of " + c[0]);
        }
        List<String> summary = Files.readAllLines(macroOut.resolve("evaluation-summary.csv"));
        assertTrue(summary.get(1).startsWith("Grad-CAM,Deletion AUC,") && summary.get(1).endsWith(",2"),
                summary.toString());
    }

    @Test
    void onZStacksWithA3dModelTheMacroAndTheCommandLineAgreeToo() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in3d"));
        Files.copy(Path.of("test-images/demo3d/shell_1.tif"), in.resolve("shell_1.tif"));
        ij.process.ByteProcessor half = new ij.process.ByteProcessor(32, 32);
        half.setColor(255);
        half.setRoi(0, 0, 32, 16);
        half.fill();
        new ij.io.FileSaver(new ImagePlus("m", half)).saveAsPng(in.resolve("shell_1_mask_top.png").toString());
        Path model = Path.of("test-images/demo3d/vol3d.pt").toAbsolutePath();
        Path macroOut = tmp.resolve("macro-out3d");
        runMacro(in, macroOut, model);
        assertEquals(16, IJ.openImage(macroOut.resolve("shell_1-heatmap.tif").toString()).getStackSize());
        List<String> rows = assertSameRows(in, macroOut, model, 2);
        // the same overlay PNG: the peak slice with only its own overlay element
        int[] macroPng = (int[]) IJ.openImage(macroOut.resolve("shell_1-overlay.png").toString()).getProcessor()
                .convertToRGB().getPixels();
        int[] cliPng = (int[]) IJ.openImage(tmp.resolve("cli-out").resolve("shell_1-overlay.png").toString())
                .getProcessor().convertToRGB().getPixels();
        assertArrayEquals(cliPng, macroPng, String.join("\n", rows));
    }

    /** Runs macros/Explain_Folder.ijm in a real (hidden) ImageJ with the ROI Manager. */
    private void runMacro(Path in, Path out, Path model) throws Exception {
        runMacro(in, out, model, "");
    }

    private void runMacro(Path in, Path out, Path model, String extra) throws Exception {
        if (GraphicsEnvironment.isHeadless()) {
            fail("ExplainFolderMacroTest needs a display (the ROI Manager is a window): run the tests under a "
                    + "virtual X server, e.g. `xvfb-run -a mvn -B test`.");
        }
        Path classes = Path.of(ExplainImagePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        LegacyEnvironment ij = new LegacyEnvironment(new MacroTest.SharedDependencies(classes,
                ExplainFolderMacroTest.class.getClassLoader()), false);
        ij.disableIJ1PluginDirs();
        ij.addPluginClasspath(classes.toFile());
        ij.newImageJ1(true);
        try {
            String macro = Files.readString(Path.of("macros/Explain_Folder.ijm"));
            String arg = "input=[" + in + "] output=[" + out + "] model=[" + model + "] method=[Grad-CAM]" + extra;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    ij.runMacro(macro, arg);
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "ExplainFolderMacroTest");
            runner.setDaemon(true);
            runner.start();
            runner.join(120_000);
            assertTrue(!runner.isAlive(), "the batch macro did not finish within 120 s");
            if (failure.get() != null) {
                throw new AssertionError("the batch macro failed", failure.get());
            }
            Object logText = ij.getClassLoader().loadClass("ij.IJ").getMethod("getLog").invoke(null);
            log = logText == null ? "" : logText.toString();
        } finally {
            ClassLoader loader = ij.getClassLoader();
            EventQueue.invokeAndWait(() -> {
                for (Window w : Window.getWindows()) {
                    if (w.getClass().getClassLoader() == loader) {
                        w.dispose();
                    }
                }
            });
        }
    }

    /** The macro's measurements.csv equals the headless command line's (run here into cli-out). */
    private List<String> assertSameRows(Path in, Path macroOut, Path model, int expectedLines) throws Exception {
        List<String> macroRows = Files.readAllLines(macroOut.resolve("measurements.csv"));
        Path cliOut = tmp.resolve("cli-out");
        ExplainFolder.run(Map.of("input", in.toString(), "output", cliOut.toString(), "model", model.toString(),
                "method", "Grad-CAM"));
        List<String> cliRows = Files.readAllLines(cliOut.resolve("measurements.csv"));
        assertEquals(expectedLines, macroRows.size(), String.join("\n", macroRows) + "\nlog:\n" + log);
        assertEquals(expectedLines, cliRows.size(), "CLI rows:\n" + String.join("\n", cliRows));
        List<List<String>> macroCells = MeasurementTable.read(String.join("\n", macroRows));
        List<List<String>> cliCells = MeasurementTable.read(String.join("\n", cliRows));
        for (int i = 1; i < cliRows.size(); i++) {
            String[] m = macroCells.get(i).toArray(new String[0]);
            String[] c = cliCells.get(i).toArray(new String[0]);
            assertEquals(c[0], m[0]);
            assertTrue(m[1].endsWith(c[1]), "ROI " + m[1] + " vs " + c[1]);
            for (int k = 2; k < c.length; k++) {
                assertEquals(Double.parseDouble(c[k]), Double.parseDouble(m[k]),
                        1e-4 * Math.max(1, Math.abs(Double.parseDouble(c[k]))), "row " + i + " column " + k);
            }
        }
        return macroRows;
    }
}
