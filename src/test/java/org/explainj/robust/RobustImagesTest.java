package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.VirtualStack;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.explainj.ExplainJException;
import org.explainj.command.ExplainImageCommand;
import org.explainj.render.ImageJProgress;
import org.explainj.explain.Method;
import org.explainj.model.ModelException;
import org.explainj.tensor.InputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images a user may explain: NaN/Inf, constant, tiny, extremely elongated, inverted LUT, virtual stack, closed. */
class RobustImagesTest {

    @TempDir
    Path tmp;

    private static float[] noise(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }

    private static String nonFinite(float[] v) {
        int nan = 0;
        int inf = 0;
        for (float f : v) {
            nan += Float.isNaN(f) ? 1 : 0;
            inf += Float.isInfinite(f) ? 1 : 0;
        }
        return nan == 0 && inf == 0 ? null : nan + " NaN and " + inf + " infinite values";
    }

    // ---- pixel values ------------------------------------------------------------------------------------------

    @Test
    void nanPixelsAreRefusedWithHowToRemoveThem() {
        float[] v = noise(64 * 64, 1);
        v[100] = Float.NaN;
        Survey.error("image: a NaN pixel (32-bit)", InputException.class, () -> Fixtures.command(new ImagePlus("nan",
                new FloatProcessor(64, 64, v)), Fixtures.TINY, "Saliency").run(), "NaN", "Remove NaNs");
        float[] w = noise(64 * 64, 2);
        w[7] = Float.POSITIVE_INFINITY;
        ExplainImageCommand cmd = Fixtures.command(new ImagePlus("inf", new FloatProcessor(64, 64, w)), Fixtures.TINY,
                "Grad-CAM");
        cmd.scale = "minmax";
        Survey.error("image: an infinite pixel (32-bit, scale=minmax)", InputException.class, cmd::run, "infinite");
    }

    /**
     * Constant images (0 and 0.5, 32x32): no method may give NaN or infinite values; a constant map is also
     * normalised (min-max of a constant: 0/0).
     */
    @Test
    void constantImagesGiveFiniteHeatmapsWithEveryMethod() {
        List<String> zero = new ArrayList<>();
        for (float value : new float[] {0f, 0.5f}) {
            float[] v = new float[32 * 32];
            java.util.Arrays.fill(v, value);
            for (Method m : org.explainj.testutil.CnnMethods.all()) {
                for (boolean normalize : new boolean[] {false, true}) {
                    ExplainImageCommand cmd = Fixtures.command(new ImagePlus("constant", new FloatProcessor(32, 32,
                            v.clone())), Fixtures.TINY, m.label());
                    cmd.normalize = normalize;
                    cmd.samples = 8;
                    cmd.steps = 16;
                    cmd.run();
                    float[] h = (float[]) cmd.heatmap.getProcessor().getPixels();
                    String bad = nonFinite(h);
                    assertTrue(bad == null, m + " on a constant " + value + " image" + (normalize ? ", normalised"
                            : "") + ": " + bad);
                    assertTrue(Double.isFinite(cmd.heatmap.getDisplayRangeMax())
                            && cmd.heatmap.getDisplayRangeMax() > cmd.heatmap.getDisplayRangeMin(), "display range");
                    if (normalize) {
                        break;
                    }
                    if (allZero(h)) {
                        zero.add(m.label() + "@" + value);
                    }
                    if (!constant(h)) {
                        break; // min-max of a non-constant map is safe: only constant maps are normalised too
                    }
                }
            }
        }
        Survey.record("image: constant (0 and 0.5), all 16 methods", "finite heatmaps; all-zero maps (no warning): "
                + zero);
    }

    private static boolean constant(float[] v) {
        for (float f : v) {
            if (f != v[0]) {
                return false;
            }
        }
        return true;
    }

    private static boolean allZero(float[] v) {
        for (float f : v) {
            if (f != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * An all-zero heatmap (Input x Gradient or Integrated Gradients of an image equal to the baseline) is shown as
     * an empty image with no hint why. The command should say so (in the heatmap's Info or the Log).
     */
    @Test
    void allZeroHeatmapComesWithANote() {
        ExplainImageCommand cmd = Fixtures.command(new ImagePlus("zeros", new FloatProcessor(64, 64)), Fixtures.TINY,
                "Input x Gradient");
        cmd.run();
        assertTrue(allZero((float[]) cmd.heatmap.getProcessor().getPixels()));
        String info = cmd.heatmap.getInfoProperty();
        // (the model's folder left out: the report must not carry this machine's paths)
        Survey.record("image: all-zero heatmap (Input x Gradient of zeros)", "Info: " + info.replace('\n', ';')
                .replace(cmd.model.getPath(), cmd.model.getName()));
        assertTrue(info.toLowerCase(java.util.Locale.ROOT).contains("zero"), info);
    }

    // ---- sizes -------------------------------------------------------------------------------------------------

    @Test
    void onePixelImageWorksWithInputSize() {
        ExplainImageCommand cmd = Fixtures.command(new ImagePlus("dot", new ByteProcessor(1, 1)), Fixtures.TINY,
                "Grad-CAM");
        cmd.input_size = "64";
        cmd.run();
        assertEquals(1, cmd.heatmap.getWidth());
        assertEquals(null, nonFinite((float[]) cmd.heatmap.getProcessor().getPixels()));
        Survey.record("image: 1x1 with input_size=64", "a 1x1 heatmap");
    }

    @Test
    void veryLongImageGivesAClearErrorOrAResultWithoutRunningOutOfMemory() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // 100000 x 2: two 2x2 poolings leave 0 rows: a model error, quickly, without a huge allocation
            ImagePlus two = new ImagePlus("long2", new FloatProcessor(100_000, 2, noise(200_000, 3)));
            Survey.error("image: 100000x2 (tinycnn, Saliency)", ModelException.class, () -> Fixtures.command(two,
                    Fixtures.TINY, "Saliency").run(), "(1, 1, 2, 100000)");
            // 100000 x 4 runs: the heatmap has the image's size and finite values
            ImagePlus four = new ImagePlus("long4", new FloatProcessor(100_000, 4, noise(400_000, 4)));
            for (String method : new String[] {"Saliency", "Grad-CAM"}) {
                ExplainImageCommand cmd = Fixtures.command(four, Fixtures.TINY, method);
                cmd.run();
                assertEquals(100_000, cmd.heatmap.getWidth());
                assertEquals(4, cmd.heatmap.getHeight());
                assertEquals(null, nonFinite((float[]) cmd.heatmap.getProcessor().getPixels()), method);
            }
            // and resized to the model's size
            ExplainImageCommand resized = Fixtures.command(two, Fixtures.TINY, "Grad-CAM");
            resized.input_size = "64";
            resized.run();
            assertEquals(100_000, resized.heatmap.getWidth());
            Survey.record("image: 100000x4 (tinycnn) and 100000x2 with input_size=64",
                    "heatmaps of the image's size, finite values");
        });
    }

    @Test
    void occlusionWindowLargerThanTheImageIsRefusedWithTheSizes() {
        ImagePlus small = new ImagePlus("small", new FloatProcessor(4, 4, noise(16, 5)));
        ExplainImageCommand cmd = Fixtures.command(small, Fixtures.TINY, "Occlusion");
        cmd.input_size = "";
        Survey.error("image: 4x4 with Occlusion (window 8)", org.explainj.explain.MethodException.class, cmd::run,
                "window=8", "4x4", "image side");
    }

    // ---- LUT, virtual stacks -----------------------------------------------------------------------------------

    /**
     * ImageJ's convention: pixel values count, an inverting LUT only changes the display. So an 8-bit image with
     * an inverted LUT gives the same heatmap as the same pixels with a normal LUT.
     */
    @Test
    void invertedLutDoesNotChangeTheExplainedValues() {
        byte[] px = new byte[96 * 96];
        short[] ring = (short[]) Fixtures.ringCell().getProcessor().getPixels();
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) ((ring[i] & 0xffff) >> 8);
        }
        ImagePlus normal = new ImagePlus("normal", new ByteProcessor(96, 96, px.clone()));
        ImagePlus inverted = new ImagePlus("inverted", new ByteProcessor(96, 96, px.clone()));
        inverted.getProcessor().invertLut();
        assertTrue(inverted.isInvertedLut());
        float[][] maps = new float[2][];
        float[] scores = new float[2];
        for (int k = 0; k < 2; k++) {
            ExplainImageCommand cmd = Fixtures.command(k == 0 ? normal : inverted, Fixtures.RINGNET, "Grad-CAM");
            cmd.target = "1";
            cmd.run();
            maps[k] = (float[]) cmd.heatmap.getProcessor().getPixels();
            scores[k] = cmd.result.targetScore();
        }
        Survey.record("image: 8-bit with an inverted LUT", java.util.Arrays.equals(maps[0], maps[1])
                ? "the pixel values are explained (same heatmap and score as with a normal LUT: " + scores[1] + ")"
                : "the heatmap differs from the normal-LUT image's");
        assertArrayEquals(maps[0], maps[1], "the inverting LUT is display-only");
        assertTrue(inverted.isInvertedLut(), "the image keeps its LUT");
    }

    @Test
    void virtualStackIsExplainedLikeTheSameStackInMemory() {
        ImageStack regular = new ImageStack(64, 64);
        VirtualStack virtual = new VirtualStack(64, 64, null, tmp.toString() + "/");
        for (int i = 0; i < 3; i++) {
            FloatProcessor fp = new FloatProcessor(64, 64, noise(64 * 64, 10 + i));
            regular.addSlice("s" + i, fp.duplicate());
            String name = "s" + i + ".tif";
            IJ.saveAsTiff(new ImagePlus("s" + i, fp), tmp.resolve(name).toString());
            virtual.addSlice(name);
        }
        ImagePlus a = new ImagePlus("regular", regular);
        ImagePlus b = new ImagePlus("virtual", virtual);
        float[][] maps = new float[2][];
        for (int k = 0; k < 2; k++) {
            ExplainImageCommand cmd = Fixtures.command(k == 0 ? a : b, Fixtures.TINY, "Grad-CAM");
            cmd.all_slices = true;
            cmd.run();
            assertEquals(3, cmd.heatmap.getStackSize());
            maps[k] = new float[3 * 64 * 64];
            for (int s = 1; s <= 3; s++) {
                System.arraycopy((float[]) cmd.heatmap.getStack().getPixels(s), 0, maps[k], (s - 1) * 4096, 4096);
            }
        }
        assertArrayEquals(maps[0], maps[1], "virtual stack = stack in memory");
        b.setSlice(2);
        ExplainImageCommand one = Fixtures.command(b, Fixtures.TINY, "Saliency");
        one.run();
        assertEquals(1, one.heatmap.getStackSize());
        Survey.record("image: virtual stack (3 TIFF files)", "all_slices: the same 3 heatmaps as the stack in memory; "
                + "current slice: one heatmap");
    }

    // ---- the image is closed while the command runs --------------------------------------------------------------

    /**
     * A 3-slice stack explained with all_slices; the image is closed (as the user would, with its window) while the
     * first slice is being explained. Acceptable: the command finishes from what it read, or stops with an
     * ExplainJ message saying the image was closed. Not acceptable: a raw exception, a misleading message, a hang.
     */
    @Test
    void imageClosedWhileTheCommandRunsStopsCleanly() {
        ImageStack stack = new ImageStack(64, 64);
        for (int i = 0; i < 3; i++) {
            stack.addSlice("s" + i, new FloatProcessor(64, 64, noise(64 * 64, 20 + i)));
        }
        ImagePlus imp = new ImagePlus("closing", stack);
        boolean shown = !GraphicsEnvironment.isHeadless();
        if (shown) {
            imp.show();
            IJ.wait(200);
        }
        AtomicInteger checks = new AtomicInteger();
        ExplainImageCommand cmd = Fixtures.command(imp, Fixtures.TINY, "SmoothGrad");
        cmd.all_slices = true;
        cmd.samples = 8;
        cmd.batch_size = 2;
        cmd.progress = new ImageJProgress() {
            @Override
            public boolean cancelled() {
                if (checks.incrementAndGet() == 2) { // inside slice 1
                    Thread closer = new Thread(() -> {
                        imp.changes = false;
                        imp.close();
                    });
                    closer.start();
                    try {
                        closer.join(10_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return false;
            }
        };
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try {
                cmd.run();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "the command hung after its image was closed");
        Throwable t = thrown.get();
        String seen = t == null ? "finished: heatmap with " + cmd.heatmap.getStackSize() + " slices"
                : t.getClass().getName() + ": " + t.getMessage();
        Survey.record("image: closed (window) while all_slices runs" + (shown ? "" : " (headless)"), seen);
        if (t == null) {
            assertEquals(3, cmd.heatmap.getStackSize(), "all slices explained from what was read");
            return;
        }
        if (!(t instanceof ExplainJException)) {
            fail("a raw exception instead of a message: " + t, t);
        }
        Survey.mentions(t.getMessage(), "closed");
    }

    /** The single-plane case: the pixels are read at the start, so closing the image later cannot matter. */
    @Test
    void imageClosedWhileASinglePlaneRunsFinishes() {
        ImagePlus imp = new ImagePlus("closing one", new FloatProcessor(64, 64, noise(64 * 64, 30)));
        ExplainImageCommand cmd = Fixtures.command(imp, Fixtures.TINY, "Occlusion");
        cmd.overlay = true;
        cmd.progress = new ImageJProgress() {
            @Override
            public boolean cancelled() {
                imp.changes = false;
                imp.close();
                return false;
            }
        };
        assertTimeoutPreemptively(Duration.ofSeconds(60), cmd::run);
        assertEquals(64, cmd.heatmap.getWidth());
        Survey.record("image: closed while one plane runs (Occlusion, overlay)", "finished; heatmap "
                + cmd.heatmap.getWidth() + "x" + cmd.heatmap.getHeight());
    }

}
