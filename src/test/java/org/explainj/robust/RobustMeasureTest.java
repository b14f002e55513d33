package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.frame.RoiManager;
import ij.process.FloatProcessor;
import org.explainj.command.ExplainImageCommand;
import org.explainj.command.MeasureAttributionCommand;
import org.explainj.measure.MeasureException;
import org.explainj.testutil.Gui;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Measure Attribution with ROIs that do not fit: none, outside the heatmap, drawn on an image of another size. */
class RobustMeasureTest {

    private RoiManager manager;

    @BeforeEach
    @AfterEach
    void clean() {
        ResultsTable.getResultsTable().reset();
        if (manager != null) {
            manager.reset();
            manager.close();
            manager = null;
        }
    }

    private static ImagePlus heat(int w, int h) {
        float[] v = new float[w * h];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37);
        }
        return new ImagePlus("heat", new FloatProcessor(w, h, v));
    }

    private static MeasureAttributionCommand command(ImagePlus heatmap, String rois) {
        MeasureAttributionCommand cmd = new MeasureAttributionCommand();
        cmd.heatmap = heatmap;
        cmd.rois = rois;
        return cmd;
    }

    /** The ROI Manager is a window: the tests that use it are {@link Gui}. */
    private RoiManager manager() {
        manager = new RoiManager();
        manager.reset();
        return manager;
    }

    @Test
    @Gui
    void emptyRoiManagerAndNoSelectionSaysWhatToDo() {
        RoiManager rm = manager();
        assertEquals(0, rm.getCount());
        Survey.error("measure: empty ROI Manager, no selection", MeasureException.class, () -> command(heat(40, 30),
                "manager").run(), "ROI Manager is empty", "no selection", "Add");
        assertEquals(0, ResultsTable.getResultsTable().size(), "no rows");
    }

    @Test
    @Gui
    void roiManagerRoiEntirelyOutsideTheHeatmapIsNamed() {
        RoiManager rm = manager();
        Roi inside = new Roi(2, 2, 5, 5);
        rm.addRoi(inside);
        rm.rename(0, "inside");
        rm.addRoi(new OvalRoi(200, 150, 10, 10));
        rm.rename(1, "far away");
        Survey.error("measure: ROI Manager ROI entirely outside the heatmap", MeasureException.class, () -> command(
                heat(40, 30), "manager").run(), "\"far away\"", "entirely outside", "40x30");
        assertEquals(0, ResultsTable.getResultsTable().size(), "no rows when one ROI fails");
    }

    @Test
    void roiPartlyOutsideIsMeasuredInsideWithAWarning() {
        MeasureAttributionCommand cmd = command(heat(40, 30), "selection");
        cmd.selection = new Roi(30, 20, 20, 20);
        cmd.run();
        assertEquals(1, cmd.rows.size());
        assertEquals(10 * 10, cmd.rows.get(0).pixelCount(), "only the part on the heatmap");
        Survey.record("measure: ROI partly outside", "measured inside; Log: " + cmd.messages);
        assertTrue(cmd.messages.stream().anyMatch(m -> m.contains("reaches beyond") && m.contains("another size")),
                cmd.messages.toString());
    }

    /**
     * A selection drawn on the 96x96 image, measured on a heatmap made at layer resolution (24x24, calibrated 4x):
     * ROIs are pixel coordinates, so the ROI (8..23, 8..23 on the image) lands on heatmap pixels that cover image
     * pixels 32..95. The command knows the ROI's image (Roi.getImage()) and that it has another size.
     */
    @Test
    void roiFromAnImageOfAnotherSizeIsRefused() {
        ImagePlus image = Fixtures.ringCell();
        ExplainImageCommand explain = Fixtures.command(image, Fixtures.RINGNET, "Grad-CAM");
        explain.layer_resolution = true;
        explain.run();
        ImagePlus heat = explain.heatmap;
        assertEquals(24, heat.getWidth());
        image.setRoi(new Roi(8, 8, 16, 16));
        MeasureAttributionCommand cmd = command(heat, "selection");
        cmd.selection = image.getRoi(); // what Measure Attribution does when the heatmap has no selection
        Survey.error("measure: selection from a 96x96 image on a 24x24 heatmap", MeasureException.class, cmd::run,
                "96x96", "24x24", "pixel coordinates", "layer_resolution");
        assertNull(cmd.rows, "nothing measured");
    }
}
