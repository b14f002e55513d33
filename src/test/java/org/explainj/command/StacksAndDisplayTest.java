package org.explainj.command;

import org.explainj.render.ImageJProgress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.TextRoi;
import ij.io.FileSaver;
import java.io.File;
import java.nio.file.Path;
import org.explainj.explain.CancelledException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StacksAndDisplayTest {

    private static final File MODEL = new File("test-images/demo/ringnet_traced.pt");
    private static final String[] DEMO = {"ring_cell_1.tif", "ring_cell_2.tif", "blobs_only_1.tif"};

    @TempDir
    Path tmp;

    private static ImagePlus demoStack() {
        ImageStack stack = new ImageStack(96, 96);
        for (String name : DEMO) {
            ImagePlus one = IJ.openImage("test-images/demo/" + name);
            stack.addSlice(name.replace(".tif", ""), one.getProcessor());
        }
        return new ImagePlus("demo-stack", stack);
    }

    private static ExplainImageCommand command(ImagePlus imp) {
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = MODEL;
        cmd.method = "Grad-CAM";
        return cmd;
    }

    @Test
    void aStackIsExplainedSliceBySliceWithItsSliceLabels() {
        ImagePlus stack = demoStack();
        ExplainImageCommand cmd = command(stack);
        cmd.all_slices = true;
        cmd.run();
        assertEquals(3, cmd.heatmap.getStackSize());
        for (int i = 1; i <= 3; i++) {
            assertEquals(DEMO[i - 1].replace(".tif", ""), cmd.heatmap.getStack().getSliceLabel(i));
            // each slice equals the single-image explanation of that slice
            ExplainImageCommand single = command(IJ.openImage("test-images/demo/" + DEMO[i - 1]));
            single.run();
            assertArrayEquals((float[]) single.heatmap.getProcessor().getPixels(),
                    (float[]) cmd.heatmap.getStack().getPixels(i), 1e-6f, "slice " + i);
        }
    }

    @Test
    void withoutAllSlicesOnlyTheCurrentSliceIsExplained() {
        ImagePlus stack = demoStack();
        stack.setSlice(2);
        ExplainImageCommand cmd = command(stack);
        cmd.run();
        assertEquals(1, cmd.heatmap.getStackSize());
        ExplainImageCommand single = command(IJ.openImage("test-images/demo/ring_cell_2.tif"));
        single.run();
        assertArrayEquals((float[]) single.heatmap.getProcessor().getPixels(),
                (float[]) cmd.heatmap.getProcessor().getPixels(), 1e-6f);
    }

    @Test
    void allClassesGiveAStackLabelledByClassName() {
        ExplainImageCommand cmd = command(IJ.openImage("test-images/demo/ring_cell_1.tif"));
        cmd.target = "all";
        cmd.run();
        assertEquals(2, cmd.heatmap.getStackSize());
        assertEquals("class 0 (blobs only)", cmd.heatmap.getStack().getSliceLabel(1));
        assertEquals("class 1 (ring cell)", cmd.heatmap.getStack().getSliceLabel(2));
        ExplainImageCommand top1 = command(IJ.openImage("test-images/demo/ring_cell_1.tif"));
        top1.target = "top1";
        top1.run();
        ExplainImageCommand named = command(IJ.openImage("test-images/demo/ring_cell_1.tif"));
        named.target = "ring cell";
        named.run();
        assertArrayEquals((float[]) top1.heatmap.getProcessor().getPixels(),
                (float[]) named.heatmap.getProcessor().getPixels(), 0f, "top1 is 'ring cell' here");
        assertArrayEquals((float[]) named.heatmap.getProcessor().getPixels(),
                (float[]) cmd.heatmap.getStack().getPixels(2), 0f);
    }

    @Test
    void escapeBeforeOrDuringTheWorkStopsWithoutOutput() throws Exception {
        ImagePlus imp = IJ.openImage("test-images/demo/ring_cell_1.tif");
        ExplainImageCommand cmd = command(imp);
        cmd.method = "Score-CAM";
        cmd.batch_size = 1;
        cmd.overlay = true;
        // Esc "pressed" at the fourth progress check: after the first Score-CAM batches, before the end
        int[] checks = {0};
        cmd.progress = new ImageJProgress() {
            @Override
            public boolean cancelled() {
                return ++checks[0] > 3 || super.cancelled();
            }
        };
        long t0 = System.nanoTime();
        assertThrows(CancelledException.class, cmd::run);
        assertEquals(4, checks[0], "stopped at the first check after the cancel");
        System.out.printf("Score-CAM cancelled after %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        assertNull(cmd.heatmap, "no heatmap after a cancel");
        assertNull(imp.getOverlay(), "no overlay after a cancel");
        // the model is usable afterwards (no lock or native state left behind)
        ExplainImageCommand again = command(imp);
        again.run();
        assertEquals(96, again.heatmap.getWidth());
    }

    @Test
    void overlaySurvivesSavingAsTiffAndFlattens() {
        ImagePlus imp = IJ.openImage("test-images/demo/ring_cell_1.tif");
        ExplainImageCommand cmd = command(imp);
        cmd.overlay = true;
        cmd.run();
        String file = tmp.resolve("with-overlay.tif").toString();
        assertTrue(new FileSaver(imp).saveAsTiff(file));
        ImagePlus back = IJ.openImage(file);
        Overlay overlay = back.getOverlay();
        assertEquals(1, overlay.size());
        assertTrue(overlay.get(0) instanceof ImageRoi, "the heatmap overlay is kept in the TIFF");
        assertEquals(0.5, ((ImageRoi) overlay.get(0)).getOpacity(), 0.01, "opacity is stored as 8-bit alpha");
        ImagePlus flat = imp.flatten();
        assertEquals(ImagePlus.COLOR_RGB, flat.getType());
        assertTrue(flat.getProcessor().getPixel(80, 60) != imp.getProcessor().convertToRGB().getPixel(80, 60),
                "the flattened image shows the heatmap");
    }

    @Test
    void calibrationBarAndLutChoices() {
        ExplainImageCommand cmd = command(IJ.openImage("test-images/demo/ring_cell_1.tif"));
        cmd.calibration_bar = true;
        cmd.run();
        Overlay overlay = cmd.heatmap.getOverlay();
        long labels = java.util.Arrays.stream(overlay.toArray()).filter(r -> r instanceof TextRoi).count();
        assertEquals(3, labels, "max, middle and min labels");
        // Auto picks Fire for a non-negative map, Diverging (white at zero) for a signed one
        int fireTop = cmd.heatmap.getProcessor().getLut().getRGB(255);
        ExplainImageCommand signed = command(IJ.openImage("test-images/demo/ring_cell_1.tif"));
        signed.method = "Saliency";
        signed.signed = true;
        signed.run();
        double min = signed.heatmap.getDisplayRangeMin();
        double max = signed.heatmap.getDisplayRangeMax();
        assertEquals(-max, min, 1e-9, "signed maps get a range centred on zero");
        int mid = signed.heatmap.getProcessor().getLut().getRGB(128);
        assertTrue(((mid >> 16) & 0xff) > 250 && ((mid >> 8) & 0xff) > 250 && (mid & 0xff) > 250,
                "white at zero: " + Integer.toHexString(mid));
        assertTrue(fireTop != signed.heatmap.getProcessor().getLut().getRGB(255));
    }
}
