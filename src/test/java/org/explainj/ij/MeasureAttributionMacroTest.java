package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ImageProcessor;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.Frame;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Scrollbar;
import java.awt.Toolkit;
import java.awt.Window;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import net.imagej.patcher.LegacyEnvironment;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Plugins › ExplainJ › Measure Attribution} from a macro in a real ImageJ 1.x (an ij1-patcher environment with
 * an ImageJ instance, under Xvfb): Explain Image... on the demo image, the ground-truth disk (Create Selection on the
 * mask), a background rectangle and a square partly outside the image in the ROI Manager, then Measure Attribution.
 * The rows are checked against numbers computed here from the saved heatmap's pixels and the mask; the same ROIs on
 * the heatmap saved as TIFF and reopened must give the same rows. The Results window is saved as
 * {@code target/screenshots/results-table.png}.
 *
 * <p>Needs a display (the ROI Manager and the Results table are windows): run under {@code xvfb-run -a mvn -B test}.
 * ImageJ's state (windows, Results, ROI Manager) lives in the environment's own class loader and its windows are
 * disposed at the end, so other tests of this JVM do not see them.
 */
@Slow
class MeasureAttributionMacroTest {

    private static final Path DEMO = Path.of("test-images", "demo");
    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String[] COLUMNS = {"Area", "Mean", "IntDen", "Max", "Fraction", "Pointing"};
    private static final int SIZE = 96;
    private static final int BG = 20;
    private static final double PIXEL_AREA = 0.5 * 0.25;

    @TempDir
    static Path out;

    private static LegacyEnvironment ij;
    private static int[] background;
    private static String log;
    private static BufferedImage shot;

    @BeforeAll
    static void runMacroInImageJ() throws Exception {
        if (GraphicsEnvironment.isHeadless()) {
            fail("MeasureAttributionMacroTest needs a display (the ROI Manager is a window; java.awt.headless is "
                    + "true or DISPLAY is unset): run the tests under a virtual X server, e.g. "
                    + "`xvfb-run -a mvn -B test`.");
        }
        background = backgroundRectangle();
        Path classes = Path.of(MeasureAttributionPlugin.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        ij = new LegacyEnvironment(new MacroTest.SharedDependencies(classes,
                MeasureAttributionMacroTest.class.getClassLoader()), false);
        ij.disableIJ1PluginDirs();
        ij.addPluginClasspath(classes.toFile());
        ij.newImageJ1(true); // a real, hidden ImageJ: Results window, ROI Manager

        String macro = Files.readString(Resources.path("measure/measure_attribution.ijm"));
        String arg = String.join("\n", DEMO.resolve("ring_cell_1.tif").toAbsolutePath().toString(),
                DEMO.resolve("ringnet_traced.pt").toAbsolutePath().toString(),
                DEMO.resolve("ring_cell_1_mask_disk.png").toAbsolutePath().toString(), out.toString(),
                background[0] + "," + background[1] + "," + background[2] + "," + background[3]);
        runMacro(macro, arg, "measure");
        log = Files.isRegularFile(out.resolve("log.txt")) ? Files.readString(out.resolve("log.txt")) : logWindow();
        shot = captureResultsWindow();
    }

    @AfterAll
    static void disposeImageJWindows() throws Exception {
        if (ij == null) {
            return;
        }
        ClassLoader loader = ij.getClassLoader();
        EventQueue.invokeAndWait(() -> {
            for (Window w : Window.getWindows()) {
                if (w.getClass().getClassLoader() == loader) {
                    w.dispose();
                }
            }
        });
    }

    @Test
    void menuEntryComesFromPluginsConfig() {
        Map<String, String> menu = ij.getMenuStructure();
        List<String> paths = menu.entrySet().stream()
                .filter(e -> "org.explainj.ij.MeasureAttributionPlugin".equals(e.getValue())).map(Map.Entry::getKey)
                .toList();
        assertTrue(paths.contains("Plugins>ExplainJ>Measure Attribution"),
                "no menu item Plugins>ExplainJ>Measure Attribution; items: " + paths);
    }

    @Test
    void rowsEqualTheNumbersComputedFromTheHeatmapPixels() throws Exception {
        Map<String, double[]> rows = rows("results.txt");
        assertEquals(List.of("ring_cell_1-grad-cam:disk", "ring_cell_1-grad-cam:background",
                "ring_cell_1-grad-cam:edge"), new ArrayList<>(rows.keySet()), "row labels (ROI Manager order)");

        ImagePlus heat = IJ.openImage(out.resolve("heatmap.tif").toString());
        assertNotNull(heat, "the macro did not save heatmap.tif; log:\n" + log);
        assertEquals(ImagePlus.GRAY32, heat.getType());
        assertEquals(0.5, heat.getCalibration().pixelWidth, 1e-12, "heatmap calibration (from the image)");
        assertEquals(0.25, heat.getCalibration().pixelHeight, 1e-12);
        float[] v = (float[]) heat.getProcessor().getPixels();
        boolean[] disk = diskMask();
        boolean[] bg = new boolean[SIZE * SIZE];
        boolean[] edge = new boolean[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                bg[y * SIZE + x] = x >= background[0] && x < background[0] + background[2] && y >= background[1]
                        && y < background[1] + background[3];
                edge[y * SIZE + x] = x >= 86 && y >= 86; // the 20 x 20 square at (86, 86), clipped to 10 x 10
            }
        }
        assertClose("disk", expected(v, disk), rows.get("ring_cell_1-grad-cam:disk"));
        assertClose("background", expected(v, bg), rows.get("ring_cell_1-grad-cam:background"));
        assertClose("edge", expected(v, edge), rows.get("ring_cell_1-grad-cam:edge"));

        assertEquals(1, rows.get("ring_cell_1-grad-cam:disk")[5], "Pointing: Grad-CAM's maximum is on the ring cell");
        assertEquals(0, rows.get("ring_cell_1-grad-cam:background")[5], "Pointing of the background");
        assertEquals(100 * PIXEL_AREA, rows.get("ring_cell_1-grad-cam:edge")[0], 1e-9, "edge: the inside part only");
        System.out.printf("disk: %s%nbackground: %s%n", java.util.Arrays.toString(rows.get(
                "ring_cell_1-grad-cam:disk")), java.util.Arrays.toString(rows.get("ring_cell_1-grad-cam:background")));
    }

    @Test
    void reopenedTiffGivesTheSameRows() throws Exception {
        Map<String, double[]> before = rows("results.txt");
        Map<String, double[]> after = rows("reopened.txt");
        assertEquals(List.of("heatmap.tif:disk", "heatmap.tif:background", "heatmap.tif:edge"),
                new ArrayList<>(after.keySet()), "row labels of the reopened heatmap");
        for (String roi : new String[] {"disk", "background", "edge"}) {
            double[] a = before.get("ring_cell_1-grad-cam:" + roi);
            double[] b = after.get("heatmap.tif:" + roi);
            for (int c = 0; c < COLUMNS.length; c++) {
                assertEquals(a[c], b[c], 0, roi + " " + COLUMNS[c] + " after the TIFF round trip");
            }
        }
    }

    @Test
    void imageJSavesTheTableWithTheColumns() throws Exception {
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(4, csv.size(), "header + 3 rows:\n" + String.join("\n", csv));
        for (String col : new String[] {"Label", "Area", "Mean", "IntDen", "Max", "Fraction", "Pointing"}) {
            assertTrue(csv.get(0).contains(col), "no column " + col + " in " + csv.get(0));
        }
    }

    @Test
    void logWarnsAboutTheRoiBeyondTheHeatmap() {
        long warnings = log.lines().filter(l -> l.contains("\"edge\"") && l.contains("reaches beyond")).count();
        assertEquals(2, warnings, "one warning per run for the edge ROI; log:\n" + log);
        assertFalse(log.contains("disk\" (bounds"), "no warning for the disk; log:\n" + log);
        assertFalse(log.contains("no positive values"), log);
        assertFalse(log.contains("ExplainJ error"), log);
    }

    @Test
    void resultsWindowScreenshot() throws Exception {
        assertNotNull(shot, "no Results window");
        Path file = SHOTS.resolve("results-table.png");
        assertTrue(Files.isRegularFile(file), "screenshot not saved");
        int first = shot.getRGB(0, 0);
        boolean varied = false;
        for (int y = 0; y < shot.getHeight() && !varied; y++) {
            for (int x = 0; x < shot.getWidth(); x++) {
                if (shot.getRGB(x, y) != first) {
                    varied = true;
                    break;
                }
            }
        }
        assertTrue(varied, "the Results window screenshot is a single colour");
    }

    @Test
    void aMacroWithoutKeysMeasuresWithTheDefaultsAndNeverWaitsOnADialog() throws Exception {
        // like Analyze › Measure: run("Measure Attribution") with no keys measures the active image's selection
        // (the ROI Manager being empty) into the Results table; a dialog would hang this macro (runMacro fails then)
        String macro = "setBatchMode(true);\n"
                + "roiManager(\"reset\");\n"
                + "run(\"Clear Results\");\n"
                + "newImage(\"plain heatmap\", \"32-bit ramp\", 40, 30, 1);\n"
                + "makeRectangle(30, 0, 10, 30);\n"
                + "run(\"Measure Attribution\");\n"
                + "File.saveString(nResults + \"\\n\" + getResultLabel(0) + \"\\n\" + d2s(getResult(\"Pointing\", 0), 0)"
                + " + \"\\n\" + d2s(getResult(\"Area\", 0), 0), getArgument() + \"/nokeys.txt\");\n";
        runMacro(macro, out.toString(), "no keys");
        Path saved = out.resolve("nokeys.txt");
        assertTrue(Files.isRegularFile(saved), "the macro did not finish; log:\n" + logWindow());
        List<String> lines = Files.readAllLines(saved);
        assertEquals("1", lines.get(0), "one row");
        assertEquals("plain heatmap:selection", lines.get(1));
        assertEquals("1", lines.get(2), "the ramp's maximum lies in the right-hand strip");
        assertEquals("300", lines.get(3), "10 x 30 pixels");
    }

    /**
     * Evaluate Explanation and Sanity Check from a batch macro: with keys, and without keys (the latest heatmap of
     * the image and what its Info says; no dialog waits).
     */
    @Test
    void evaluateAndSanityCheckRunInAMacro() throws Exception {
        String macro = "setBatchMode(true);\n"
                + "args = split(getArgument(), \"\\n\");\n"
                + "open(args[0]);\n"
                + "run(\"Explain Image...\", \"model=[\" + args[1] + \"] method=Grad-CAM\");\n"
                + "selectImage(\"ring_cell_1.tif\");\n"
                + "run(\"Clear Results\");\n"
                + "run(\"Evaluate Explanation...\", \"metric=both steps=10 score=probability\");\n"
                + "a = d2s(getResult(\"Deletion AUC\", 0), 6) + \" \" + d2s(getResult(\"Insertion AUC\", 0), 6);\n"
                + "run(\"Evaluate Explanation...\");\n"
                + "n = nResults;\n"
                + "run(\"Clear Results\");\n"
                + "run(\"Sanity Check...\");\n"
                + "File.saveString(a + \"\\n\" + n + \"\\n\" + nResults + \"\\n\" + getResultString(\"Randomised\", 1)"
                + " + \"\\n\" + d2s(getResult(\"Spearman\", nResults - 1), 4), args[2] + \"/evaluate.txt\");\n";
        runMacro(macro, String.join("\n", DEMO.resolve("ring_cell_1.tif").toAbsolutePath().toString(),
                DEMO.resolve("ringnet_traced.pt").toAbsolutePath().toString(), out.toString()), "evaluate");
        Path saved = out.resolve("evaluate.txt");
        assertTrue(Files.isRegularFile(saved), "the macro did not finish; log:\n" + logWindow());
        List<String> lines = Files.readAllLines(saved);
        String[] aucs = lines.get(0).split(" ");
        assertTrue(Double.parseDouble(aucs[0]) > 0 && Double.parseDouble(aucs[1]) > Double.parseDouble(aucs[0]),
                "Grad-CAM of the demo model: insertion above deletion: " + lines.get(0));
        assertEquals("2", lines.get(1), "the run without keys added a second row");
        assertEquals("10", lines.get(2), "the original and 9 cascade steps (RingNet's modules)");
        assertEquals("fc", lines.get(3), "the output side first");
        assertTrue(Double.parseDouble(lines.get(4)) < 0.5, "Grad-CAM decorrelates: " + lines.get(4));
    }

    @Test
    void explainImageInAMacroWithoutKeysStopsWithAMessageInsteadOfADialog() throws Exception {
        String macro = "setBatchMode(true);\n"
                + "newImage(\"img\", \"8-bit ramp\", 32, 32, 1);\n"
                + "run(\"Explain Image...\");\n"
                + "File.saveString(\"reached\", getArgument() + \"/after-explain.txt\");\n";
        runMacro(macro, out.toString(), "explain without keys");
        assertFalse(Files.exists(out.resolve("after-explain.txt")), "the macro went on without a model");
        String error = logWindow().lines().filter(l -> l.contains("ExplainJ error")).reduce((a, b) -> b)
                .orElse("");
        assertTrue(error.contains("No model given"), "log:\n" + logWindow());
    }

    @Test
    void rgbImageAbortsTheMacroWithAClearError() throws Exception {
        String macro = "setBatchMode(true);\n"
                + "newImage(\"snapshot\", \"RGB black\", 32, 32, 1);\n"
                + "makeRectangle(2, 2, 10, 10);\n"
                + "run(\"Measure Attribution\", \"rois=selection\");\n"
                + "File.saveString(\"reached\", getArgument() + \"/after-rgb.txt\");\n";
        runMacro(macro, out.toString(), "rgb");
        assertFalse(Files.exists(out.resolve("after-rgb.txt")), "the macro went on after the error");
        String error = logWindow().lines().filter(l -> l.contains("ExplainJ error")).reduce((a, b) -> b)
                .orElse(null);
        assertNotNull(error, "no \"ExplainJ error\" in the log:\n" + logWindow());
        assertTrue(error.contains("\"snapshot\"") && error.contains("RGB"), error);
    }

    @Test
    void volumeKeyMeasuresTheHeatmapZStackAsAWholeLikeTheCommand() throws Exception {
        Path stack = Path.of("test-images/demo3d/shell_1.tif").toAbsolutePath();
        Path model = Path.of("test-images/demo3d/vol3d.pt").toAbsolutePath();
        String macro = "setBatchMode(true);\n"
                + "args = split(getArgument(), \"\\n\");\n"
                + "open(args[0]);\n"
                + "run(\"Explain Image...\", \"model=[\" + args[1] + \"] method=[Grad-CAM]\");\n"
                + "makeRectangle(8, 10, 12, 16);\n"
                + "run(\"Measure Attribution\", \"rois=selection table=[volume-macro] volume\");\n"
                + "selectWindow(\"volume-macro\");\n"
                + "File.saveString(Table.getString(\"Label\", 0) + \"\\n\" + d2s(Table.get(\"Volume\", 0), 9) + \"\\n\""
                + " + d2s(Table.get(\"Fraction\", 0), 9) + \"\\n\" + Table.get(\"Pointing\", 0), args[2] + \"/volume.txt\");\n";
        runMacro(macro, stack + "\n" + model + "\n" + out, "volume");
        Path saved = out.resolve("volume.txt");
        assertTrue(Files.isRegularFile(saved), "the macro did not write volume.txt; log:\n" + logWindow());
        List<String> row = Files.readAllLines(saved);
        // the same with the Java command on the same heatmap
        org.explainj.command.ExplainImageCommand cmd = new org.explainj.command.ExplainImageCommand();
        cmd.image = IJ.openImage(stack.toString());
        cmd.model = model.toFile();
        cmd.method = "Grad-CAM";
        cmd.run();
        org.explainj.command.MeasureAttributionCommand m = new org.explainj.command.MeasureAttributionCommand();
        m.heatmap = cmd.heatmap;
        m.rois = "selection";
        m.selection = new ij.gui.Roi(8, 10, 12, 16);
        m.volume = true;
        m.table = "volume-java";
        m.run();
        assertTrue(row.get(0).endsWith(":volume"), row.get(0));
        assertEquals(m.rows.get(0).area(), Double.parseDouble(row.get(1)), 1e-6);
        assertEquals(12 * 16 * 16, m.rows.get(0).area(), 1e-9);
        assertEquals(m.rows.get(0).fraction(), Double.parseDouble(row.get(2)), 1e-6);
        assertEquals(m.rows.get(0).pointing(), (int) Double.parseDouble(row.get(3)));
    }

    /**
     * Runs {@code body} on the demo image with the demo model (args[1]); returns the last "ExplainJ error" of the Log,
     * or null when the macro reached its end.
     */
    private static String stopsWith(String name, String body) throws Exception {
        Path reached = out.resolve(name + "-reached.txt");
        String macro = "setBatchMode(true);\n"
                + "args = split(getArgument(), \"\\n\");\n"
                + "open(args[0]);\n"
                + body + "\n"
                + "File.saveString(\"reached\", args[2]);\n";
        runMacro(macro, DEMO.resolve("ring_cell_1.tif").toAbsolutePath() + "\n"
                + DEMO.resolve("ringnet_traced.pt").toAbsolutePath() + "\n" + reached, name);
        if (Files.exists(reached)) {
            return null;
        }
        return logWindow().lines().filter(l -> l.contains("ExplainJ error")).reduce((a, b) -> b)
                .orElse("(no ExplainJ error in the log)\n" + logWindow());
    }

    /**
     * A value ImageJ's numeric fields cannot read used to open the modal "Macro Error" dialog (a batch macro waited
     * forever); NaN was taken as a number; a misspelt key was ignored (the default ran instead). Each now stops the
     * macro with ExplainJ's message naming the key.
     */
    @Test
    void badNumbersNaNAndMisspeltKeysStopTheMacroWithAMessage() throws Exception {
        String ig = "run(\"Explain Image...\", \"model=[\" + args[1] + \"] method=[Integrated Gradients] ";
        String e = stopsWith("steps-abc", ig + "steps=abc\");");
        assertTrue(e != null && e.contains("steps=abc is not a valid whole number"), e);
        e = stopsWith("baseline-nan", ig + "baseline=NaN\");");
        assertTrue(e != null && e.contains("baseline=NaN is not a finite number"), e);
        e = stopsWith("opacity-abc", "run(\"Explain Image...\", \"model=[\" + args[1] + \"] overlay opacity=abc\");");
        assertTrue(e != null && e.contains("opacity=abc"), e);
        e = stopsWith("misspelt", "run(\"Explain Image...\", \"model=[\" + args[1] + \"] methd=[Saliency]\");");
        assertTrue(e != null && e.contains("does not know the key methd"), e);
        String explained = "run(\"Explain Image...\", \"model=[\" + args[1] + \"] method=[Grad-CAM]\");\n";
        e = stopsWith("evaluate-steps-abc", explained + "run(\"Evaluate Explanation...\", \"steps=abc\");");
        assertTrue(e != null && e.contains("steps=abc"), e);
        e = stopsWith("evaluate-metric", explained + "run(\"Evaluate Explanation...\", \"metric=nonsense\");");
        assertTrue(e != null && e.contains("metric=nonsense is not one of"), e);
        e = stopsWith("sanity-seed", explained + "run(\"Sanity Check...\", \"seed=abc\");");
        assertTrue(e != null && e.contains("seed=abc"), e);
        e = stopsWith("compare-steps", "run(\"Compare Methods...\", \"model=[\" + args[1] + \"] steps=abc\");");
        assertTrue(e != null && e.contains("steps=abc"), e);
        assertEquals(null, stopsWith("road", explained + "run(\"Evaluate Explanation...\", \"metric=road steps=4\");"),
                "ROAD ended in a NullPointerException after its row was written");
    }

    /**
     * Evaluate Explanation scores the target of the heatmap slice shown (a heatmap of several targets used to be
     * scored with the last target), and heatmap=[title] wins over the active heatmap.
     */
    @Test
    void evaluationScoresTheShownTargetAndTheNamedHeatmap() throws Exception {
        Path saved = out.resolve("evaluated.txt");
        String macro = "setBatchMode(true);\n"
                + "args = split(getArgument(), \"\\n\");\n"
                + "open(args[0]);\n"
                + "image = getTitle();\n"
                + "run(\"Explain Image...\", \"model=[\" + args[1] + \"] method=[Grad-CAM] target=all\");\n"
                + "Stack.setChannel(1);\n"
                + "run(\"Clear Results\");\n"
                + "run(\"Evaluate Explanation...\", \"metric=deletion steps=4 score=logit\");\n"
                + "first = getResultString(\"Target\", 0);\n"
                + "selectImage(image);\n"
                + "run(\"Explain Image...\", \"model=[\" + args[1] + \"] method=[Grad-CAM]\");\n"
                + "cam = getTitle();\n"
                + "selectImage(image);\n"
                + "run(\"Explain Image...\", \"model=[\" + args[1] + \"] method=[Saliency]\");\n"
                + "run(\"Clear Results\");\n"
                + "run(\"Evaluate Explanation...\", \"heatmap=[\" + cam + \"] metric=deletion steps=4\");\n"
                + "File.saveString(first + \"\\n\" + cam + \"\\n\" + getResultString(\"Heatmap\", 0), args[2]);\n";
        runMacro(macro, DEMO.resolve("ring_cell_1.tif").toAbsolutePath() + "\n"
                + DEMO.resolve("ringnet_traced.pt").toAbsolutePath() + "\n" + saved, "evaluate shown target");
        assertTrue(Files.isRegularFile(saved), "log:\n" + logWindow());
        List<String> lines = Files.readAllLines(saved);
        assertTrue(lines.get(0).startsWith("0"), "the first slice shows class 0; scored: " + lines.get(0));
        assertEquals(lines.get(1), lines.get(2), "heatmap=[title] named the Grad-CAM heatmap");
    }

    // ------------------------------------------------------------------------------------------------------------

    private static void runMacro(String macro, String arg, String name) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                ij.runMacro(macro, arg);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "MeasureAttributionMacroTest " + name);
        runner.setDaemon(true);
        runner.start();
        runner.join(TimeUnit.SECONDS.toMillis(60));
        if (runner.isAlive()) {
            Files.createDirectories(SHOTS);
            Rectangle screen = new Rectangle(Toolkit.getDefaultToolkit().getScreenSize());
            ImageIO.write(new Robot().createScreenCapture(screen), "png",
                    SHOTS.resolve("measure-attribution-hang.png").toFile());
            fail("the macro (" + name + ") did not finish within 60 s (a dialog? see "
                    + "target/screenshots/measure-attribution-hang.png); log:\n" + logWindow());
        }
        if (failure.get() != null) {
            throw new AssertionError("runMacro failed; log:\n" + logWindow(), failure.get());
        }
    }

    /** The patched ImageJ's Log. */
    private static String logWindow() {
        try {
            Object s = ij.getClassLoader().loadClass("ij.IJ").getMethod("getLog").invoke(null);
            return s == null ? "" : s.toString();
        } catch (ReflectiveOperationException e) {
            return "(log not readable: " + e + ")";
        }
    }

    /** Label -> Area, Mean, IntDen, Max, Fraction, Pointing from a file the macro wrote. */
    private static Map<String, double[]> rows(String name) throws Exception {
        Path file = out.resolve(name);
        assertTrue(Files.isRegularFile(file), "the macro did not write " + name + "; log:\n" + log);
        List<String> lines = Files.readAllLines(file);
        assertEquals("Label\t" + String.join("\t", COLUMNS), lines.get(0));
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            double[] v = new double[COLUMNS.length];
            for (int c = 0; c < v.length; c++) {
                v[c] = Double.parseDouble(f[c + 1]);
            }
            rows.put(f[0], v);
        }
        return rows;
    }

    /** Area, Mean, IntDen, Max, Fraction, Pointing of a region, computed directly from the pixels. */
    private static double[] expected(float[] v, boolean[] inside) {
        int argmax = 0;
        double allPositive = 0;
        for (int i = 0; i < v.length; i++) {
            allPositive += Math.max(0, v[i]);
            if (v[i] > v[argmax]) {
                argmax = i;
            }
        }
        long n = 0;
        double sum = 0;
        double positive = 0;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v.length; i++) {
            if (inside[i]) {
                n++;
                sum += v[i];
                positive += Math.max(0, v[i]);
                max = Math.max(max, v[i]);
            }
        }
        assertTrue(n > 0 && allPositive > 0);
        return new double[] {n * PIXEL_AREA, sum / n, sum * PIXEL_AREA, max, positive / allPositive,
            inside[argmax] ? 1 : 0};
    }

    private static void assertClose(String what, double[] expected, double[] actual) {
        assertNotNull(actual, "no row for " + what);
        for (int c = 0; c < COLUMNS.length; c++) {
            assertEquals(expected[c], actual[c], 1e-8 * Math.max(1e-3, Math.abs(expected[c])),
                    what + " " + COLUMNS[c]);
        }
    }

    private static boolean[] diskMask() {
        ImagePlus imp = IJ.openImage(DEMO.resolve("ring_cell_1_mask_disk.png").toString());
        assertNotNull(imp, "cannot open the disk mask");
        assertEquals(SIZE, imp.getWidth());
        ImageProcessor ip = imp.getProcessor();
        boolean[] m = new boolean[SIZE * SIZE];
        for (int i = 0; i < m.length; i++) {
            m[i] = ip.get(i) == 255;
        }
        return m;
    }

    /** A BG x BG corner square with no disk pixel (kept away from the partly-outside square at the bottom right). */
    private static int[] backgroundRectangle() {
        boolean[] disk = diskMask();
        int[][] corners = {{0, 0}, {SIZE - BG, 0}, {0, SIZE - BG}};
        for (int[] c : corners) {
            boolean free = true;
            for (int y = c[1]; y < c[1] + BG && free; y++) {
                for (int x = c[0]; x < c[0] + BG; x++) {
                    free &= !disk[y * SIZE + x];
                }
            }
            if (free) {
                return new int[] {c[0], c[1], BG, BG};
            }
        }
        throw new AssertionError("no free corner for the background rectangle");
    }

    private static void settle() throws Exception {
        for (int i = 0; i < 3; i++) {
            EventQueue.invokeAndWait(() -> { });
            Toolkit.getDefaultToolkit().sync();
            Thread.sleep(150);
        }
    }

    private static Scrollbar scrollbar(Container c, int orientation) {
        for (Component child : c.getComponents()) {
            if (child instanceof Scrollbar sb && sb.getOrientation() == orientation) {
                return sb;
            }
            if (child instanceof Container cc) {
                Scrollbar sb = scrollbar(cc, orientation);
                if (sb != null) {
                    return sb;
                }
            }
        }
        return null;
    }

    /** The patched ImageJ's Results window (a Frame titled "Results"), in front, saved as results-table.png. */
    private static BufferedImage captureResultsWindow() throws Exception {
        AtomicReference<Frame> results = new AtomicReference<>();
        EventQueue.invokeAndWait(() -> {
            for (Window w : Window.getWindows()) {
                if (w instanceof Frame f && f.isShowing() && "Results".equals(f.getTitle())
                        && w.getClass().getClassLoader() == ij.getClassLoader()) {
                    results.set(f);
                }
            }
        });
        Frame f = results.get();
        if (f == null) {
            return null;
        }
        EventQueue.invokeAndWait(() -> {
            f.setLocation(0, 0);
            f.toFront();
            f.repaint();
        });
        settle();
        // ImageJ opens the Results window at 400 x 250: widen it to the table's width (the horizontal scroll bar's
        // maximum, set when the table is painted) so that every column is in the picture
        EventQueue.invokeAndWait(() -> {
            Scrollbar h = scrollbar(f, Scrollbar.HORIZONTAL);
            Scrollbar v = scrollbar(f, Scrollbar.VERTICAL);
            if (h != null && h.getMaximum() > h.getVisibleAmount()) {
                int extra = h.getMaximum() - h.getVisibleAmount() + (v != null ? 4 : 0) + 8;
                f.setSize(Math.min(f.getWidth() + extra, Toolkit.getDefaultToolkit().getScreenSize().width),
                        f.getHeight());
                f.validate();
                f.repaint();
            }
        });
        settle();
        AtomicReference<Rectangle> r = new AtomicReference<>();
        EventQueue.invokeAndWait(() -> r.set(new Rectangle(f.getLocationOnScreen(), f.getSize())));
        BufferedImage img = new Robot().createScreenCapture(r.get());
        Files.createDirectories(SHOTS);
        Path file = SHOTS.resolve("results-table.png");
        ImageIO.write(img, "png", file.toFile());
        System.out.println("screenshot " + file.toAbsolutePath() + " " + img.getWidth() + "x" + img.getHeight());
        return img;
    }
}
