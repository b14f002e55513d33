package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.ImagePlus;
import ij.ImageStack;
import ij.Macro;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.frame.Recorder;
import ij.plugin.frame.RoiManager;
import ij.process.FloatProcessor;
import java.awt.Button;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.Label;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextField;
import java.awt.Toolkit;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.explainj.command.MeasureAttributionCommand;
import org.explainj.measure.RoiStatistics;
import org.explainj.testutil.Gui;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Measure Attribution with windows, in this JVM: the dialog (its fields, what the Macro Recorder records when OK is
 * pressed, and that the recorded options, replayed as macro options, fill the command the same way; saved as
 * {@code target/screenshots/measure-attribution-dialog.png}), and ROI Manager ROIs on a heatmap stack.
 *
 * <p>Needs a display: run under {@code xvfb-run -a mvn -B test}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Gui
class MeasureAttributionGuiTest {

    private static final Path SHOTS = Path.of("target", "screenshots");

    private final List<ImagePlus> images = new ArrayList<>();

    @BeforeAll
    static void needsDisplay() {
        if (GraphicsEnvironment.isHeadless()) {
            fail("MeasureAttributionGuiTest needs a display (java.awt.headless is true or DISPLAY is unset): run "
                    + "the tests under a virtual X server, e.g. `xvfb-run -a mvn -B test`.");
        }
    }

    @AfterEach
    void cleanUp() {
        Recorder.record = false;
        Recorder.resetCommandOptions();
        for (ImagePlus imp : images) {
            imp.changes = false;
            imp.close();
        }
    }

    private ImagePlus shown(String title) {
        ImagePlus imp = new ImagePlus(title, new FloatProcessor(16, 16));
        imp.show();
        images.add(imp);
        return imp;
    }

    @Test
    void dialogRecordsTheMacroKeysAndTheRecordedOptionsReplay() throws Exception {
        ImagePlus heat = shown("heat A");
        ImagePlus other = shown("other");
        Recorder.resetCommandOptions();
        Recorder.record = true; // GenericDialog records each field's key and value

        MeasureAttributionCommand cmd = new MeasureAttributionCommand();
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(MeasureAttributionPlugin.showDialog(cmd, heat));
            } catch (Throwable e) {
                result.set(e);
            }
        }, "Measure Attribution dialog");
        t.setDaemon(true);
        t.start();

        GenericDialog gd = waitForDialog("Measure Attribution");
        List<Component> all = new ArrayList<>();
        EventQueue.invokeAndWait(() -> collect(gd, all));
        List<String> labels = all.stream().filter(c -> c instanceof Label).map(c -> ((Label) c).getText()).toList();
        for (String label : new String[] {"Heatmap", "ROIs", "Table"}) {
            assertTrue(labels.contains(label), "no field \"" + label + "\"; labels: " + labels);
        }
        @SuppressWarnings("unchecked")
        List<Choice> choices = new ArrayList<>(gd.getChoices());
        Choice heatmaps = choices.get(0);
        List<String> titles = new ArrayList<>();
        for (int i = 0; i < heatmaps.getItemCount(); i++) {
            titles.add(heatmaps.getItem(i));
        }
        assertTrue(titles.contains("heat A") && titles.contains("other"), "heatmap choices " + titles);
        assertEquals("heat A", heatmaps.getSelectedItem(), "the active image is the default");
        Choice rois = choices.get(1);
        assertEquals("manager", rois.getItem(0));
        assertEquals("selection", rois.getItem(1));
        EventQueue.invokeAndWait(() -> {
            rois.select("selection");
            ((TextField) gd.getStringFields().get(0)).setText("My table");
        });
        save(capture(gd), "measure-attribution-dialog.png");

        Button ok = gd.getButtons()[0];
        EventQueue.invokeAndWait(() -> gd.actionPerformed(new ActionEvent(ok, ActionEvent.ACTION_PERFORMED,
                ok.getLabel())));
        t.join(10_000);
        assertFalse(t.isAlive(), "showDialog did not return after OK");
        if (result.get() instanceof Throwable e) {
            throw new AssertionError("showDialog failed", e);
        }
        assertEquals(Boolean.TRUE, result.get());
        assertSame(heat, cmd.heatmap);
        assertEquals("selection", cmd.rois);
        assertEquals("My table", cmd.table);
        String recorded = Recorder.getCommandOptions();
        assertEquals("heatmap=[heat A] rois=selection table=[My table]", recorded,
                "what the Macro Recorder writes after run(\"Measure Attribution\", ");
        Recorder.record = false;

        // the recorded line, replayed as a macro, with another image active; its selection serves the heatmap,
        // which has none
        Roi drawn = new Roi(1, 2, 3, 4);
        other.setRoi(drawn);
        MeasureAttributionCommand replay = new MeasureAttributionCommand();
        AtomicReference<Object> replayed = new AtomicReference<>();
        Thread macro = new Thread(() -> {
            try {
                Macro.setOptions(recorded);
                replayed.set(MeasureAttributionPlugin.showDialog(replay, other));
            } catch (Throwable e) {
                replayed.set(e);
            } finally {
                Macro.setOptions(null);
            }
        }, "Run$_measure attribution replay"); // Macro.getOptions() only answers on macro threads
        macro.start();
        macro.join(10_000);
        if (replayed.get() instanceof Throwable e) {
            throw new AssertionError("replay failed", e);
        }
        assertEquals(Boolean.TRUE, replayed.get());
        assertSame(heat, replay.heatmap, "heatmap=[heat A] picks that image although \"other\" is active");
        assertEquals("selection", replay.rois);
        assertEquals("My table", replay.table);
        assertSame(drawn, replay.selection, "the active image's selection is used for the heatmap without one");
    }

    @Test
    void roiManagerRoisOnAStackAreMeasuredOnTheirSlices() throws Exception {
        // 3 slices (e.g. three explained classes): slice k holds the value k everywhere, 10k at (k, 0)
        ImageStack stack = new ImageStack(8, 6);
        for (int k = 1; k <= 3; k++) {
            float[] v = new float[48];
            java.util.Arrays.fill(v, k);
            v[k] = 10 * k;
            stack.addSlice("class " + (k - 1), new FloatProcessor(8, 6, v));
        }
        ImagePlus heat = new ImagePlus("stack heat", stack);
        heat.setSlice(3);
        RoiManager rm = new RoiManager();
        try {
            assertSame(rm, RoiManager.getInstance());
            Roi onTwo = new Roi(0, 0, 4, 2);
            onTwo.setPosition(2);
            rm.addRoi(onTwo);
            rm.rename(0, "on two");
            Roi anywhere = new Roi(0, 0, 2, 2); // no position: the current slice (3)
            rm.addRoi(anywhere);
            rm.rename(1, "anywhere");
            Roi hyper = new Roi(0, 0, 1, 1);
            hyper.setPosition(0, 1, 0); // z = 1 of a stack without channels/frames
            rm.addRoi(hyper);
            rm.rename(2, "hyper");

            MeasureAttributionCommand cmd = new MeasureAttributionCommand();
            cmd.heatmap = heat;
            cmd.rois = "manager";
            cmd.table = "Results";
            cmd.run();
            List<RoiStatistics> rows = cmd.rows;
            assertEquals("stack heat:on two:class 1", rows.get(0).label());
            // slice 2 in x 0..3, y 0..1: seven 2s and one 20; positives of slice 2: 47 * 2 + 20
            assertEquals((7 * 2 + 20) / 8.0, rows.get(0).mean(), 1e-9);
            assertEquals(1, rows.get(0).pointing());
            assertEquals((7 * 2 + 20) / (47 * 2 + 20.0), rows.get(0).fraction(), 1e-9);
            assertEquals("stack heat:anywhere:class 2", rows.get(1).label());
            assertEquals(3, rows.get(1).mean(), 1e-9, "slice 3; (3, 0) is outside the 2 x 2 ROI");
            assertEquals(0, rows.get(1).pointing());
            assertEquals("stack heat:hyper:class 0", rows.get(2).label());
            assertEquals(1, rows.get(2).mean(), 1e-9);
        } finally {
            rm.reset();
            rm.close();
            ResultsTable.getResultsTable().reset();
        }
        assertEquals(null, RoiManager.getInstance(), "the ROI Manager is closed again");
        Roi far = new Roi(0, 0, 1, 1);
        far.setPosition(7);
        String m = org.junit.jupiter.api.Assertions.assertThrows(org.explainj.measure.MeasureException.class,
                () -> org.explainj.render.HeatmapRegions.stackIndex(heat, far, "far")).getMessage();
        assertTrue(m.contains("\"far\"") && m.contains("slice 7") && m.contains("3 slices"), m);
    }

    // ------------------------------------------------------------------------------------------------------------

    private static GenericDialog waitForDialog(String title) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (Window w : Window.getWindows()) {
                if (w instanceof GenericDialog gd && w.isShowing() && title.equals(gd.getTitle())) {
                    return gd;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no visible dialog \"" + title + "\" after 20 s");
    }

    private static BufferedImage capture(Window w) throws Exception {
        EventQueue.invokeAndWait(() -> {
            w.toFront();
            w.repaint();
        });
        for (int i = 0; i < 3; i++) {
            EventQueue.invokeAndWait(() -> { });
            Toolkit.getDefaultToolkit().sync();
            Thread.sleep(150);
        }
        AtomicReference<Rectangle> r = new AtomicReference<>();
        EventQueue.invokeAndWait(() -> r.set(new Rectangle(w.getLocationOnScreen(), w.getSize())));
        return new Robot().createScreenCapture(r.get());
    }

    private static void save(BufferedImage img, String name) throws Exception {
        Files.createDirectories(SHOTS);
        Path file = SHOTS.resolve(name);
        ImageIO.write(img, "png", file.toFile());
        System.out.println("screenshot " + file.toAbsolutePath() + " " + img.getWidth() + "x" + img.getHeight());
    }

    private static void collect(Container c, List<Component> out) {
        for (Component child : c.getComponents()) {
            out.add(child);
            if (child instanceof Container cc) {
                collect(cc, out);
            }
        }
    }
}
