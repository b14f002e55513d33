package org.explainj.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.measure.Calibration;
import java.io.File;
import java.util.Arrays;
import java.util.Map;
import org.explainj.tensor.InputException;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;

class ExplainImageCommandTest {

    private static final File TINY = Resources.path("reference/models/tinycnn.pt").toFile();

    private static ImagePlus synthPos0() {
        ImagePlus imp = IJ.openImage(Resources.path("reference/inputs/synth_pos0_u16.tif").toString());
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = 0.5;
        cal.pixelHeight = 0.25;
        cal.setUnit("um");
        return imp;
    }

    private static ExplainImageCommand command(ImagePlus imp, String method) {
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = TINY;
        cmd.method = method;
        cmd.layer = "features.relu4";
        return cmd;
    }

    @Test
    void gradCamHeatmapIsA32BitImageAtImageSizeWithRawValuesLutAndCalibration() {
        ImagePlus imp = synthPos0();
        short[] before = ((short[]) imp.getProcessor().getPixels()).clone();
        ExplainImageCommand cmd = command(imp, "Grad-CAM");
        cmd.run();
        ImagePlus heat = cmd.heatmap;
        assertEquals(ImagePlus.GRAY32, heat.getType());
        assertEquals(64, heat.getWidth());
        assertEquals(64, heat.getHeight());
        assertEquals("synth_pos0_u16-grad-cam", heat.getTitle());
        assertEquals(0.5, heat.getCalibration().pixelWidth, 1e-12);
        assertEquals(0.25, heat.getCalibration().pixelHeight, 1e-12);
        assertEquals(imp.getCalibration().getUnit(), heat.getCalibration().getUnit());
        float[] v = (float[]) heat.getProcessor().getPixels();
        float max = 0;
        for (float f : v) {
            max = Math.max(max, f);
            assertTrue(f >= 0, "Grad-CAM is ReLU'd");
        }
        assertEquals(0, heat.getProcessor().getMin(), 0);
        assertEquals(max, heat.getProcessor().getMax(), 1e-6);
        assertTrue(heat.getProcessor().getLut().getRGB(255) != heat.getProcessor().getLut().getRGB(0));
        // raw values: min-max normalising them gives pytorch-grad-cam's default output
        float[] ref = Resources.npy("reference/golden/tinycnn/synth_pos0/t1_top/GradCAM_final.npy").data();
        Compare.assertAgrees("command Grad-CAM (normalised here) vs pytorch-grad-cam final",
                normalised(v), ref);
        assertTrue(heat.getInfoProperty().contains("layer=features.relu4"));
        assertNull(imp.getOverlay(), "no overlay unless asked");
        assertArrayEquals(before, (short[]) imp.getProcessor().getPixels(), "the image's pixels are unchanged");
    }

    @Test
    void normalizeOptionGivesPytorchGradCamsDefaultOutput() {
        ExplainImageCommand cmd = command(synthPos0(), "Grad-CAM");
        cmd.normalize = true;
        cmd.run();
        float[] ref = Resources.npy("reference/golden/tinycnn/synth_pos0/t1_top/GradCAM_final.npy").data();
        Compare.assertAgrees("normalize=true vs GradCAM_final", (float[]) cmd.heatmap.getProcessor().getPixels(),
                ref);
        assertEquals(1.0, cmd.heatmap.getProcessor().getMax(), 1e-6);
    }

    @Test
    void layerResolutionKeepsTheLayerMapAndScalesTheCalibration() {
        ExplainImageCommand cmd = command(synthPos0(), "Grad-CAM");
        cmd.layer_resolution = true;
        cmd.run();
        assertEquals(16, cmd.heatmap.getWidth());
        assertEquals(2.0, cmd.heatmap.getCalibration().pixelWidth, 1e-12);
        assertEquals(1.0, cmd.heatmap.getCalibration().pixelHeight, 1e-12);
        float[] raw = Resources.npy("reference/golden/tinycnn/synth_pos0/t1_top/GradCAM_raw.npy").data();
        for (int i = 0; i < raw.length; i++) {
            raw[i] = Math.max(raw[i], 0);
        }
        Compare.assertAgrees("layer resolution map", (float[]) cmd.heatmap.getProcessor().getPixels(), raw);
        assertEquals(16, cmd.attribution.dimension(0));
    }

    @Test
    void overlayIsAnImageRoiAndLeavesPixelsAlone() {
        ImagePlus imp = synthPos0();
        short[] before = ((short[]) imp.getProcessor().getPixels()).clone();
        ExplainImageCommand cmd = command(imp, "Saliency");
        cmd.overlay = true;
        cmd.opacity = 0.4;
        cmd.lut = "Jet";
        cmd.run();
        assertEquals(1, imp.getOverlay().size());
        ImageRoi roi = (ImageRoi) imp.getOverlay().get(0);
        assertEquals(0.4, roi.getOpacity(), 1e-6);
        assertEquals(64, roi.getBounds().width);
        assertArrayEquals(before, (short[]) imp.getProcessor().getPixels());
        float[] ref = Resources.npy("reference/golden/tinycnn/synth_pos0/t1_top/Saliency_abs.npy").data();
        Compare.assertAgrees("command saliency", (float[]) cmd.heatmap.getProcessor().getPixels(), ref);
    }

    @Test
    void explainingAgainReplacesTheHeatmapInTheOverlayAndKeepsTheUsersElements() {
        ImagePlus imp = synthPos0();
        ij.gui.Overlay mine = new ij.gui.Overlay(new ij.gui.OvalRoi(2, 2, 10, 10));
        imp.setOverlay(mine);
        for (String method : new String[] {"Saliency", "Saliency", "Grad-CAM"}) {
            ExplainImageCommand cmd = command(imp, method);
            cmd.overlay = true;
            cmd.run();
        }
        assertEquals(2, imp.getOverlay().size(), "the user's oval and one heatmap");
        assertTrue(imp.getOverlay().get(0) instanceof ij.gui.OvalRoi);
        assertEquals("ExplainJ Grad-CAM", imp.getOverlay().get(1).getName());
    }

    @Test
    void runsThroughTheScijavaCommandService() throws Exception {
        try (Context context = new Context(CommandService.class)) {
            CommandService commands = context.service(CommandService.class);
            CommandModule module = commands.run(ExplainImageCommand.class, true, Map.of("image", synthPos0(),
                    "model", TINY, "method", "Grad-CAM", "layer", "features.relu4", "target", "1")).get();
            ImagePlus heat = (ImagePlus) module.getOutput("heatmap");
            assertEquals(64, heat.getWidth());
            float[] ref = Resources.npy("reference/golden/tinycnn/synth_pos0/t1_top/GradCAM_final.npy").data();
            Compare.assertAgrees("CommandService Grad-CAM", normalised((float[]) heat.getProcessor().getPixels()),
                    ref);
        }
    }

    @Test
    void channelMismatchSaysWhatTheModelExpects() {
        ImagePlus rgb = IJ.openImage(Resources.path("reference/inputs/chelsea_224_rgb.tif").toString());
        ExplainImageCommand cmd = command(rgb, "Saliency");
        InputException e = assertThrows(InputException.class, cmd::run);
        assertTrue(e.getMessage().contains("expects 1 input channel") && e.getMessage().contains("gives 3"),
                e.getMessage());
    }

    private static float[] normalised(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        float[] o = Arrays.copyOf(v, v.length);
        for (int i = 0; i < o.length; i++) {
            o[i] = (o[i] - lo) / (hi - lo);
        }
        return o;
    }
}
