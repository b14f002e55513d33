package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import org.explainj.evaluate.EvaluationException;
import org.junit.jupiter.api.Test;

/** The explained image behind an active heatmap, for Evaluate Explanation and Sanity Check. */
class HeatmapSourceTest {

    /** Its image was closed: said so (the heatmap itself was taken as the image and "no heatmap was made from" it). */
    @Test
    void aHeatmapWhoseImageIsClosedSaysWhichImageToOpen() {
        ImagePlus heat = new ImagePlus("cells-grad-cam", new FloatProcessor(8, 8));
        heat.setProperty("Info", "ExplainJ\nmethod=Grad-CAM\nimage=cells-closed-42.tif\n");
        EvaluationException e = assertThrows(EvaluationException.class, () -> HeatmapSource.of(heat));
        assertTrue(e.getMessage().contains("\"cells-closed-42.tif\", which is not open")
                && e.getMessage().contains("heatmap=[cells-grad-cam]"), e.getMessage());
    }
}
