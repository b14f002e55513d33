package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Target;
import org.explainj.explain.gradient.Saliency;
import org.explainj.model.LayerException;
import org.explainj.model.ModelCache;
import org.explainj.model.ModelException;
import org.explainj.tensor.InputException;
import org.explainj.tensor.ModelInput;
import org.junit.jupiter.api.Test;

/**
 * Models whose interface does not fit the image or ExplainJ: two inputs, outputs that are not [1, classes], channel
 * counts that differ from the image's, input sizes the network cannot take. Through the command (what the ImageJ
 * dialog shows) unless noted.
 */
class RobustModelShapesTest {

    private static ImagePlus grey(int w, int h) {
        short[] p = new short[w * h];
        for (int i = 0; i < p.length; i++) {
            p[i] = (short) ((i * 2654435761L) >>> 20);
        }
        return new ImagePlus("grey " + w + "x" + h, new ShortProcessor(w, h, p, null));
    }

    private static ImagePlus rgb(int w, int h) {
        ColorProcessor cp = new ColorProcessor(w, h);
        for (int i = 0; i < w * h; i++) {
            cp.set(i, (int) ((i * 2654435761L) & 0xffffff));
        }
        return new ImagePlus("rgb", cp);
    }

    @Test
    void twoInputModelSaysItNeedsOneInputAndHowToWrapIt() {
        Survey.error("shape: forward(x, y), Saliency", ModelException.class, () -> Fixtures.command(rgb(16, 16),
                Fixtures.TWO_INPUTS, "Saliency").run(), "argument 'y'", "single tensor");
        Survey.error("shape: forward(x, y), Grad-CAM", LayerException.class, () -> Fixtures.command(rgb(16, 16),
                Fixtures.TWO_INPUTS, "Grad-CAM").run(), "2 inputs", "single tensor");
    }

    @Test
    void oneDimensionalOutputIsAModelErrorSayingHowToWrap() {
        Survey.error("shape: output [3] (no batch dimension)", ModelException.class, () -> Fixtures.command(
                grey(16, 16), Fixtures.FLAT_OUTPUT, "Saliency").run(), "(3)", "[1, classes]", "wrap");
    }

    @Test
    void threeDimensionalOutputIsAModelErrorSayingHowToWrap() {
        Survey.error("shape: output [1, 3, 5]", ModelException.class, () -> Fixtures.command(grey(32, 32),
                Fixtures.SEQ_OUTPUT, "Grad-CAM").run(), "(1, 3, 5)", "[1, classes]", "wrap");
    }

    @Test
    void colourModelGivenAGreyscaleImageSaysToRepeatTheChannel() {
        Survey.error("channels: 3-channel model, 1-channel image", InputException.class, () -> Fixtures.command(
                grey(64, 64), Fixtures.VGGS, "Grad-CAM").run(), "expects 3", "gives 1", "channels=1,1,1");
    }

    @Test
    void greyscaleModelGivenAnRgbImageSaysToChooseAChannel() {
        Survey.error("channels: 1-channel model, RGB image", InputException.class, () -> Fixtures.command(
                rgb(64, 64), Fixtures.TINY, "Saliency").run(), "expects 1", "gives 3", "channels=");
    }

    /**
     * libtorch's message for an error inside TorchScript code starts with the generic line "The following operation
     * failed in the TorchScript interpreter." and ends with the reason ("RuntimeError: Given groups=1, weight of
     * size [16, 3, 3, 3], expected input[1, 1, 64, 64] to have 3 channels, but got 1 channels instead");
     * TorchScriptModel.firstLine keeps only the generic line.
     */
    @Test
    void wrongChannelCountThroughTheApiNamesBothCounts() {
        // the Java API has no channel check of its own: libtorch's message comes through
        var model = ModelCache.shared().get(Fixtures.VGGS);
        Survey.error("channels: 3-channel model, 1-channel tensor (API)", ModelException.class, () -> new Saliency()
                .explain(model, new ModelInput(new float[64 * 64], 1, 64, 64), Target.TOP, ExplainOptions.defaults()),
                "(1, 1, 64, 64)", "3 channels", "channel count");
    }

    @Test
    void imageTooSmallForFourPoolingsIsAModelErrorWithTheInputShape() {
        String m = Survey.error("size: 8x8 image, model with 4 poolings (Saliency)", ModelException.class,
                () -> Fixtures.command(grey(8, 8), Fixtures.DEEP_POOL, "Saliency").run(), "(1, 1, 8, 8)",
                "input size");
        Survey.error("size: 8x8 image, model with 4 poolings (Grad-CAM, automatic layer)", ModelException.class,
                () -> Fixtures.command(grey(8, 8), Fixtures.DEEP_POOL, "Grad-CAM").run(), "(1, 1, 8, 8)",
                "input size");
        assertEquals(m, m.trim());
    }

    @Test
    void imageTooSmallSaysTheOutputIsTooSmall() {
        Survey.error("size: 8x8 image, libtorch's reason", ModelException.class, () -> Fixtures.command(grey(8, 8),
                Fixtures.DEEP_POOL, "Saliency").run(), "(1, 1, 8, 8)", "too small");
        Survey.error("size: 1x1 image, libtorch's reason", ModelException.class, () -> Fixtures.command(
                new ImagePlus("dot", new ByteProcessor(1, 1)), Fixtures.TINY, "Grad-CAM").run(), "too small");
    }

    @Test
    void imageTooSmallSuggestsTheInputSizeOption() {
        Survey.error("size: 8x8 image, suggestion", ModelException.class, () -> Fixtures.command(grey(8, 8),
                Fixtures.DEEP_POOL, "Saliency").run(), "input_size=");
    }

    @Test
    void onePixelImageIsRefusedWithTheInputSize() {
        Survey.error("size: 1x1 image (tinycnn, Saliency)", ModelException.class, () -> Fixtures.command(
                new ImagePlus("dot", new ByteProcessor(1, 1)), Fixtures.TINY, "Saliency").run(), "(1, 1, 1, 1)",
                "input size");
        Survey.error("size: 1x1 image (tinycnn, Grad-CAM)", ModelException.class, () -> Fixtures.command(
                new ImagePlus("dot", new ByteProcessor(1, 1)), Fixtures.TINY, "Grad-CAM").run(), "(1, 1, 1, 1)",
                "input size");
    }
}
