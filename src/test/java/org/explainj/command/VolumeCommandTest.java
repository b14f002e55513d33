package org.explainj.command;

import static org.explainj.testutil.Demo3d.balls;
import static org.explainj.testutil.Demo3d.command;
import static org.explainj.testutil.Demo3d.shell;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import java.nio.file.Path;
import java.util.Arrays;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainers;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.render.HeatmapImages;
import org.explainj.render.ImageBridge;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ImageTensors;
import org.explainj.tensor.InputSpec;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;

/**
 * A 3-D model (Conv3d) on z-stacks: one volume per frame in, a heatmap z-stack out, equal to the core API; overlays
 * on every slice; frames and several classes as hyperstack dimensions. (Refusals: robust.RobustVolumesTest.)
 */
class VolumeCommandTest {

    private static float[] slice(float[] volume, int z, int plane) {
        return Arrays.copyOfRange(volume, z * plane, (z + 1) * plane);
    }

    @Test
    void theDemoStackIsOneVolumeAndItsTiffEqualsTheFixtureInput() {
        ImagePlus imp = shell();
        assertEquals(16, imp.getNSlices());
        ModelInput x = ImageTensors.toTensor(ImageBridge.volumeChannels(imp, 1), InputSpec.defaults());
        assertEquals(Grid.volume(32, 32, 16), x.grid());
        assertArrayEquals(new long[] {1, 1, 16, 32, 32}, x.shape());
        Npy ref = Resources.npy("fixtures3d/shell/input.npy");
        assertArrayEquals(ref.data(), x.data(), 0f);
    }

    @Test
    void gradCamOfAZStackIsAHeatmapZStackEqualToTheCoreApiWithAnOverlayOnEverySlice() {
        ImagePlus imp = shell();
        imp.getCalibration().pixelWidth = 0.2;
        imp.getCalibration().pixelHeight = 0.2;
        imp.getCalibration().pixelDepth = 0.5;
        Object pixels5 = imp.getStack().getPixels(5);
        byte[] before = ((byte[]) pixels5).clone();
        ExplainImageCommand cmd = command(imp, "Grad-CAM");
        cmd.overlay = true;
        cmd.run();
        ImagePlus h = cmd.heatmap;
        assertEquals(32, h.getWidth());
        assertEquals(16, h.getNSlices());
        assertEquals(1, h.getNFrames());
        assertEquals(1, h.getNChannels());
        assertEquals(0.5, h.getCalibration().pixelDepth, 1e-12);
        assertEquals(0.2, h.getCalibration().pixelWidth, 1e-12);
        assertEquals("class 1 (shell) z=5", h.getStack().getSliceLabel(5));
        assertTrue(((String) h.getProperty("Info")).contains("map_size=8x8x4"), (String) h.getProperty("Info"));
        assertEquals(3, cmd.attribution.numDimensions());
        // the same as the core API: Grad-CAM at the default layer, trilinearly upsampled to the stack
        TorchScriptModel m = ModelCache.shared().get(org.explainj.testutil.Demo3d.MODEL.toPath());
        ModelInput x = ImageTensors.toTensor(ImageBridge.volumeChannels(shell(), 1), InputSpec.defaults());
        Attribution a = Explainers.of(Method.GRAD_CAM).explain(m, x, Target.TOP, ExplainOptions.defaults());
        assertEquals("features", a.layer());
        float[] up = a.valuesAt(x.grid());
        for (int z = 0; z < 16; z++) {
            assertArrayEquals(slice(up, z, 32 * 32), (float[]) h.getStack().getPixels(z + 1), 0f, "z=" + (z + 1));
        }
        // one ImageRoi per slice, placed on that slice; the pixels are unchanged
        Overlay o = imp.getOverlay();
        assertEquals(16, o.size());
        // a plain z-stack (not a hyperstack): ImageJ draws an element only on the slice of its stack position
        assertTrue(!imp.isHyperStack());
        for (int z = 1; z <= 16; z++) {
            Roi r = o.get(z - 1);
            assertTrue(r instanceof ImageRoi);
            assertEquals(z, r.getPosition(), "overlay " + z);
            assertTrue(!r.hasHyperStackPosition(), "overlay " + z);
        }
        assertArrayEquals(before, (byte[]) imp.getStack().getPixels(5));
        // the flattened export shows the overlay of the current slice only: slices differ, and the peak slice is
        // the slice of the map's maximum voxel
        int peak = HeatmapImages.peakSlice(h);
        int argMax = 0;
        for (int i = 1; i < up.length; i++) {
            argMax = up[i] > up[argMax] ? i : argMax;
        }
        assertEquals(argMax / (32 * 32) + 1, peak);
        int[] atPeak = (int[]) HeatmapImages.flattenPlane(imp, peak).getProcessor().getPixels();
        int[] atFirst = (int[]) HeatmapImages.flattenPlane(imp, 1).getProcessor().getPixels();
        assertTrue(!Arrays.equals(atPeak, atFirst));
        // = the plane alone with its own overlay element
        ImagePlus alone = new ImagePlus("alone", imp.getStack().getProcessor(peak));
        alone.setOverlay(new Overlay(((Roi) o.get(peak - 1).clone())));
        alone.getOverlay().get(0).setPosition(0);
        assertArrayEquals((int[]) alone.flatten().getProcessor().getPixels(), atPeak);
    }

    @Test
    void layerResolutionKeepsTheLayersVolumeWithItsVoxelSize() {
        ImagePlus imp = shell();
        imp.getCalibration().pixelDepth = 0.5;
        ExplainImageCommand cmd = command(imp, "Grad-CAM");
        cmd.layer_resolution = true;
        cmd.run();
        assertEquals(8, cmd.heatmap.getWidth());
        assertEquals(4, cmd.heatmap.getNSlices());
        assertEquals(2.0, cmd.heatmap.getCalibration().pixelDepth, 1e-12);
        assertEquals(4.0, cmd.heatmap.getCalibration().pixelWidth, 1e-12);
        float[] ref = Resources.npy("fixtures3d/shell/features/gradcam_raw.npy").data();
        for (int i = 0; i < ref.length; i++) {
            ref[i] = Math.max(ref[i], 0f);
        }
        for (int z = 0; z < 4; z++) {
            assertArrayEquals(slice(ref, z, 64), (float[]) cmd.heatmap.getStack().getPixels(z + 1), 1e-6f);
        }
    }

    @Test
    void framesAndClassesBecomeHyperstackDimensions() {
        ImagePlus shell = shell();
        ImagePlus balls = balls();
        ImageStack stack = new ImageStack(32, 32);
        for (ImagePlus v : new ImagePlus[] {shell, balls}) {
            for (int z = 1; z <= 16; z++) {
                stack.addSlice("", v.getStack().getProcessor(z));
            }
        }
        ImagePlus movie = new ImagePlus("two-frames", stack);
        movie.setDimensions(1, 16, 2);
        movie.setOpenAsHyperStack(true);
        ExplainImageCommand cmd = command(movie, "Saliency");
        cmd.all_slices = true;
        cmd.target = "all";
        cmd.run();
        ImagePlus h = cmd.heatmap;
        assertEquals(2, h.getNChannels());
        assertEquals(16, h.getNSlices());
        assertEquals(2, h.getNFrames());
        assertEquals("class 0 (ball) z=3 t=2", h.getStack().getSliceLabel(h.getStackIndex(1, 3, 2)));
        assertEquals("class 1 (shell) z=3 t=2", h.getStack().getSliceLabel(h.getStackIndex(2, 3, 2)));
        // frame 2, class 0 = the balls volume explained alone for class 0
        ExplainImageCommand alone = command(balls(), "Saliency");
        alone.target = "0";
        alone.run();
        for (int z = 1; z <= 16; z++) {
            assertArrayEquals((float[]) alone.heatmap.getStack().getPixels(z),
                    (float[]) h.getStack().getPixels(h.getStackIndex(1, z, 2)), 0f, "z=" + z);
        }
    }

    @Test
    void theLayerChoicesAreTheVolumetricLayers() {
        ExplainImageCommand cmd = command(shell(), "Grad-CAM");
        ExplainImageCommand.LayerChoices c = cmd.layerChoices();
        assertEquals("features", c.defaultLayer());
        assertTrue(c.layers().contains("features.6") && !c.layers().contains("fc") && !c.layers().contains("pool"),
                c.layers().toString());
    }

    @Test
    void measureAttributionWithVolumeMeasuresColumnsThroughTheWholeHeatmapStack() {
        ImagePlus imp = shell();
        imp.getCalibration().pixelWidth = 0.5;
        imp.getCalibration().pixelHeight = 0.5;
        imp.getCalibration().pixelDepth = 2;
        ExplainImageCommand cmd = command(imp, "Grad-CAM");
        cmd.run();
        ImagePlus h = cmd.heatmap;
        // sums over the column x 8..19, y 10..25 through all 16 slices, computed here
        double sum = 0;
        double inside = 0;
        double total = 0;
        float max = Float.NEGATIVE_INFINITY;
        int maxAt = -1;
        for (int z = 1; z <= 16; z++) {
            float[] v = (float[]) h.getStack().getPixels(z);
            for (int i = 0; i < v.length; i++) {
                total += Math.max(v[i], 0);
                if (v[i] > max) {
                    max = v[i];
                    maxAt = i;
                }
                int x = i % 32;
                int y = i / 32;
                if (x >= 8 && x < 20 && y >= 10 && y < 26) {
                    sum += v[i];
                    inside += Math.max(v[i], 0);
                }
            }
        }
        MeasureAttributionCommand m = new MeasureAttributionCommand();
        m.heatmap = h;
        m.rois = "selection";
        m.selection = new Roi(8, 10, 12, 16);
        m.volume = true;
        m.table = "volume-test";
        m.run();
        assertEquals(1, m.rows.size());
        assertEquals(12 * 16 * 16 * 0.5 * 0.5 * 2, m.rows.get(0).area(), 1e-9);
        assertEquals(sum / (12 * 16 * 16), m.rows.get(0).mean(), 1e-6);
        assertEquals(inside / total, m.rows.get(0).fraction(), 1e-6);
        int mx = maxAt % 32;
        int my = maxAt / 32;
        assertEquals(mx >= 8 && mx < 20 && my >= 10 && my < 26 ? 1 : 0, m.rows.get(0).pointing());
        assertTrue(m.results.columnExists("Volume") && !m.results.columnExists("Area"));
        assertTrue(m.rows.get(0).label().endsWith(":selection:volume"), m.rows.get(0).label());
        // the whole image: all of the volume's positive attribution, and its maximum
        m.selection = new Roi(0, 0, 32, 32);
        m.run();
        assertEquals(1.0, m.rows.get(0).fraction(), 1e-9);
        assertEquals(1, m.rows.get(0).pointing());
    }
}
