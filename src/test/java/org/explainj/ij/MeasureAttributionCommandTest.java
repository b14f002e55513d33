package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Line;
import ij.gui.OvalRoi;
import ij.gui.PolygonRoi;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.measure.Measurements;
import ij.measure.ResultsTable;
import ij.plugin.frame.RoiManager;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ImageStatistics;
import ij.process.ShortProcessor;
import ij.text.TextWindow;
import java.awt.Frame;
import java.awt.GraphicsEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.Random;
import org.explainj.command.MeasureAttributionCommand;
import org.explainj.measure.MeasureException;
import org.explainj.measure.RoiStatistics;
import org.explainj.testutil.Gui;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

/**
 * The command with ImageJ ROIs on in-memory heatmaps, without a display (the selection case; the ROI Manager is not
 * open in this JVM): the numbers against ImageJ's own statistics and against sums computed here, the table, the
 * warnings and the errors.
 */
class MeasureAttributionCommandTest {

    private static final int W = 40;
    private static final int H = 30;

    @BeforeEach
    @AfterEach
    void clearResults() {
        ResultsTable.getResultsTable().reset();
    }

    /** A signed map with a unique maximum at (31, 7), 0.5 x 0.25 um pixels. */
    private static ImagePlus heatmap() {
        float[] v = new float[W * H];
        Random rnd = new Random(7);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.3);
        }
        v[7 * W + 31] = 5f;
        ImagePlus imp = new ImagePlus("heat", new FloatProcessor(W, H, v));
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = 0.5;
        cal.pixelHeight = 0.25;
        cal.setUnit("um");
        return imp;
    }

    private static MeasureAttributionCommand command(ImagePlus imp, String rois) {
        MeasureAttributionCommand cmd = new MeasureAttributionCommand();
        cmd.heatmap = imp;
        cmd.rois = rois;
        return cmd;
    }

    /** Sums over the pixels whose centre ImageJ's mask includes, computed here from the pixel array. */
    private static double[] expected(ImagePlus imp, Roi roi) {
        float[] v = (float[]) imp.getProcessor().getPixels();
        ImageProcessor mask = roi.getMask();
        java.awt.Rectangle b = roi.getBounds();
        double n = 0;
        double sum = 0;
        double pos = 0;
        double allPos = 0;
        double max = Double.NEGATIVE_INFINITY;
        int argmax = 0;
        for (int i = 0; i < v.length; i++) {
            allPos += Math.max(0, v[i]);
            if (v[i] > v[argmax]) {
                argmax = i;
            }
        }
        boolean pointing = false;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                int mx = x - b.x;
                int my = y - b.y;
                boolean in = mx >= 0 && my >= 0 && mx < b.width && my < b.height
                        && (mask == null || mask.get(mx, my) != 0);
                if (in) {
                    float f = v[y * W + x];
                    n++;
                    sum += f;
                    pos += Math.max(0, f);
                    max = Math.max(max, f);
                    pointing |= y * W + x == argmax;
                }
            }
        }
        double pa = imp.getCalibration().pixelWidth * imp.getCalibration().pixelHeight;
        return new double[] {n * pa, sum / n, sum * pa, max, pos / allPos, pointing ? 1 : 0};
    }

    private static void assertRow(ResultsTable rt, int row, String label, double[] e) {
        assertEquals(label, rt.getLabel(row), "label of row " + row);
        String[] cols = MeasureAttributionCommand.COLUMNS;
        for (int c = 0; c < cols.length; c++) {
            assertEquals(e[c], rt.getValue(cols[c], row), 1e-9 * Math.max(1, Math.abs(e[c])),
                    cols[c] + " of row " + row);
        }
    }

    @Test
    void ovalSelectionMatchesImageJsMeasureAndTheSumsComputedHere() {
        ImagePlus imp = heatmap();
        Roi oval = new OvalRoi(24, 2, 13, 11);
        imp.setRoi(oval);
        MeasureAttributionCommand cmd = command(imp, "selection");
        cmd.run();
        ResultsTable rt = ResultsTable.getResultsTable();
        assertEquals(1, rt.size());
        assertTrue(rt.getColumnHeadings().contains("Label"), rt.getColumnHeadings());
        double[] e = expected(imp, oval);
        assertRow(rt, 0, "heat:selection", e);
        assertEquals(1, e[5], "the oval holds the maximum");
        // ImageJ's own Measure on the same selection
        ImageStatistics st = imp.getStatistics(Measurements.AREA | Measurements.MEAN | Measurements.INTEGRATED_DENSITY
                | Measurements.MIN_MAX);
        assertEquals(st.area, rt.getValue("Area", 0), 1e-9);
        assertEquals(st.mean, rt.getValue("Mean", 0), 1e-6);
        assertEquals(st.area * st.mean, rt.getValue("IntDen", 0), 1e-6);
        assertEquals(st.max, rt.getValue("Max", 0), 0);
        assertEquals(st.pixelCount * 0.125, rt.getValue("Area", 0), 1e-9, "calibrated area");
        assertTrue(cmd.messages.isEmpty(), cmd.messages.toString());
        assertNotNull(cmd.results);
    }

    @Test
    void emptyRoiManagerFallsBackToTheSelection() {
        assertNull(RoiManager.getInstance(), "no ROI Manager in this JVM");
        ImagePlus imp = heatmap();
        Roi poly = new PolygonRoi(new int[] {2, 18, 10}, new int[] {3, 5, 20}, 3, Roi.POLYGON);
        poly.setName("triangle");
        imp.setRoi(poly);
        MeasureAttributionCommand cmd = command(imp, "manager");
        cmd.run();
        assertRow(ResultsTable.getResultsTable(), 0, "heat:triangle", expected(imp, poly));
        assertEquals(0, cmd.rows.get(0).pointing());
        assertTrue(cmd.messages.isEmpty(), cmd.messages.toString());
    }

    @Test
    void selectionPartlyOutsideIsClippedWithAWarning() {
        ImagePlus imp = heatmap();
        Roi edge = new Roi(30, 20, 20, 20); // x 30..49, y 20..39 on a 40 x 30 map
        imp.setRoi(edge);
        MeasureAttributionCommand cmd = command(imp, "selection");
        cmd.run();
        RoiStatistics s = cmd.rows.get(0);
        assertEquals(10 * 10, s.pixelCount());
        assertEquals(100 * 0.125, s.area(), 1e-12);
        float[] v = (float[]) imp.getProcessor().getPixels();
        double sum = 0;
        for (int y = 20; y < 30; y++) {
            for (int x = 30; x < 40; x++) {
                sum += v[y * W + x];
            }
        }
        assertEquals(sum / 100, s.mean(), 1e-9);
        assertEquals(1, cmd.messages.size(), cmd.messages.toString());
        assertTrue(cmd.messages.get(0).contains("reaches beyond"), cmd.messages.get(0));
    }

    @Test
    void explicitSelectionFromAnotherImageOfAnotherSize() {
        ImagePlus imp = heatmap();
        MeasureAttributionCommand cmd = command(imp, "selection");
        Roi big = new Roi(0, 0, 80, 60); // drawn on an image twice the heatmap's size
        big.setName("whole");
        cmd.selection = big;
        cmd.run();
        assertEquals(W * H, cmd.rows.get(0).pixelCount());
        assertEquals(1, cmd.rows.get(0).fraction(), 1e-12);
        assertEquals(1, cmd.rows.get(0).pointing());
        assertTrue(cmd.messages.get(0).contains("\"whole\"") && cmd.messages.get(0).contains("another size"),
                cmd.messages.toString());
    }

    @Test
    void sixteenBitHeatmapUsesTheValueCalibration() {
        // signed 16-bit as ImageJ stores it: raw = v + 32768, function v = raw - 32768
        ShortProcessor sp = new ShortProcessor(4, 2);
        int[] v = {-3, 10, 2, -1, 0, 4, 7, -8};
        for (int i = 0; i < v.length; i++) {
            sp.set(i, v[i] + 32768);
        }
        ImagePlus imp = new ImagePlus("signed16", sp);
        imp.getCalibration().setSigned16BitCalibration();
        imp.setRoi(new Roi(1, 0, 2, 2)); // 10, 2, 4, 7
        MeasureAttributionCommand cmd = command(imp, "selection");
        cmd.run();
        RoiStatistics s = cmd.rows.get(0);
        assertEquals(23 / 4.0, s.mean(), 1e-9);
        assertEquals(10, s.max(), 0);
        assertEquals(23.0 / (10 + 2 + 4 + 7), s.fraction(), 1e-9);
        assertEquals(1, s.pointing());
    }

    @Test
    void mapWithoutPositiveValuesSaysSoOnce() {
        ImagePlus imp = new ImagePlus("zeros", new FloatProcessor(8, 8));
        imp.setRoi(new Roi(0, 0, 4, 4));
        MeasureAttributionCommand cmd = command(imp, "selection");
        cmd.run();
        assertEquals(0, cmd.rows.get(0).fraction(), 0);
        assertEquals(1, cmd.messages.stream().filter(m -> m.contains("no positive values")).count(),
                cmd.messages.toString());
    }

    /** A named table other than Results lives in its window (ImageJ finds it by title), so this needs a display. */
    @Test
    @Gui
    void rowsAccumulateInANamedTable() throws Exception {
        ImagePlus imp = heatmap();
        imp.setRoi(new Roi(0, 0, 10, 10));
        String name = "ExplainJ test table";
        try {
            MeasureAttributionCommand first = command(imp, "selection");
            first.table = name;
            first.run();
            MeasureAttributionCommand second = command(imp, "selection");
            second.table = name;
            second.run();
            assertEquals(2, second.results.size(), "the second run adds to the first run's table");
            assertEquals(0, ResultsTable.getResultsTable().size(), "the Results table is untouched");
            assertEquals(second.results.getValue("Mean", 0), second.results.getValue("Mean", 1), 0);
        } finally {
            Frame f = WindowManager.getFrame(name);
            if (f instanceof TextWindow tw) {
                java.awt.EventQueue.invokeAndWait(tw::dispose);
            }
        }
    }

    @Test
    void runsThroughTheScijavaCommandService() throws Exception {
        ImagePlus imp = heatmap();
        Roi oval = new OvalRoi(24, 2, 13, 11);
        imp.setRoi(oval);
        try (Context context = new Context(CommandService.class)) {
            CommandModule module = context.service(CommandService.class).run(MeasureAttributionCommand.class, true,
                    Map.of("heatmap", imp, "rois", "selection", "table", "Results")).get();
            ResultsTable rt = (ResultsTable) module.getOutput("results");
            assertEquals(1, rt.size());
            assertRow(rt, 0, "heat:selection", expected(imp, oval));
        }
    }

    @Test
    void runsInAHeadlessJvm() throws Exception {
        // a JVM with java.awt.headless=true, as in Fiji --headless or a server script: no window may be needed
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Djava.awt.headless=true", "-cp",
                System.getProperty("java.class.path"), HeadlessMain.class.getName()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the headless JVM did not finish");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("headless=true rows=2 first=heat:box second=heat:box"), output);
    }

    /** Measures a selection with rois=selection and rois=manager (empty manager) in a headless JVM. */
    static final class HeadlessMain {

        public static void main(String[] args) {
            ImagePlus imp = heatmap();
            Roi box = new Roi(2, 3, 10, 5);
            box.setName("box");
            imp.setRoi(box);
            MeasureAttributionCommand a = command(imp, "selection");
            a.run();
            MeasureAttributionCommand b = command(imp, "manager");
            b.run();
            ResultsTable rt = ResultsTable.getResultsTable();
            System.out.println("headless=" + GraphicsEnvironment.isHeadless() + " rows=" + rt.size() + " first="
                    + rt.getLabel(0) + " second=" + rt.getLabel(1));
            System.exit(rt.getValue("Mean", 0) == b.rows.get(0).mean() ? 0 : 1);
        }
    }

    // ---- errors ------------------------------------------------------------------------------------------------

    private static String error(MeasureAttributionCommand cmd) {
        return assertThrows(MeasureException.class, cmd::run).getMessage();
    }

    @Test
    void rgbHeatmapIsRefused() {
        ImagePlus rgb = new ImagePlus("flattened", new ColorProcessor(8, 8));
        rgb.setRoi(new Roi(0, 0, 2, 2));
        String m = error(command(rgb, "selection"));
        assertTrue(m.contains("\"flattened\"") && m.contains("RGB") && m.contains("32-bit"), m);
    }

    @Test
    void noRoisAnywhereSaysWhatToDo() {
        String m = error(command(heatmap(), "manager"));
        assertTrue(m.contains("ROI Manager is empty") && m.contains("no selection") && m.contains("Add"), m);
        String s = error(command(heatmap(), "selection"));
        assertTrue(s.contains("rois=selection needs a selection on \"heat\""), s);
        assertEquals(0, ResultsTable.getResultsTable().size(), "no rows on errors");
    }

    @Test
    void unknownRoiSourceIsRefused() {
        String m = error(command(heatmap(), "overlay"));
        assertTrue(m.contains("rois=overlay") && m.contains("rois=manager") && m.contains("rois=selection"), m);
    }

    @Test
    void roiEntirelyOutsideIsAnErrorNamingIt() {
        ImagePlus imp = heatmap();
        MeasureAttributionCommand cmd = command(imp, "selection");
        Roi far = new Roi(100, 100, 5, 5);
        far.setName("far corner");
        cmd.selection = far;
        String m = error(cmd);
        assertTrue(m.contains("\"far corner\"") && m.contains("entirely outside") && m.contains("\"heat\""), m);
    }

    @Test
    void lineSelectionIsRefused() {
        ImagePlus imp = heatmap();
        imp.setRoi(new Line(1, 1, 20, 20));
        String m = error(command(imp, "selection"));
        assertTrue(m.contains("line") && m.contains("area ROIs"), m);
    }

    @Test
    void missingHeatmapIsRefused() {
        String m = error(command(null, "selection"));
        assertTrue(m.contains("No heatmap"), m);
        assertFalse(m.isBlank());
    }
}
