package org.explainj.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import java.util.List;
import net.imglib2.img.array.ArrayImgs;
import org.explainj.render.ImageBridge;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;

class ImageTensorsTest {

    private static ImagePlus open(String resource) {
        ImagePlus imp = IJ.openImage(Resources.path(resource).toString());
        assertTrue(imp != null, resource);
        return imp;
    }

    @Test
    void sixteenBitImageScaledByTypeRangeIsTheReferenceInputExactly() {
        ImagePlus imp = open("reference/inputs/synth_pos0_u16.tif");
        assertEquals(ImagePlus.GRAY16, imp.getType());
        ModelInput in = ImageTensors.toTensor(ImageBridge.channels(imp), InputSpec.defaults());
        Npy ref = Resources.npy("reference/inputs/synth_pos0_model_input.npy");
        assertArrayEquals(new long[] {1, 1, 64, 64}, in.shape());
        assertArrayEquals(ref.data(), in.data(), 0f);
    }

    @Test
    void rgbImageWithImageNetMeanAndStdIsTheReferenceInput() {
        ImagePlus imp = open("reference/inputs/chelsea_224_rgb.tif");
        assertEquals(ImagePlus.COLOR_RGB, imp.getType());
        InputSpec spec = InputSpec.defaults().withNormalization(new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f});
        ModelInput in = ImageTensors.toTensor(ImageBridge.channels(imp), spec);
        Npy ref = Resources.npy("reference/inputs/chelsea_224_model_input.npy");
        assertArrayEquals(new long[] {1, 3, 224, 224}, in.shape());
        double err = 0;
        for (int i = 0; i < ref.data().length; i++) {
            err = Math.max(err, Math.abs(ref.data()[i] - in.data()[i]));
        }
        assertTrue(err < 1e-5, "max abs difference " + err);
    }

    @Test
    void floatImageWithScaleNonePassesThroughBitIdentical() {
        ImagePlus imp = open("reference/inputs/cell_64_gray_f32.tif");
        assertEquals(ImagePlus.GRAY32, imp.getType());
        float[] pixels = ((float[]) imp.getProcessor().getPixels()).clone();
        ModelInput in = ImageTensors.toTensor(ImageBridge.channels(imp),
                InputSpec.defaults().withScaling(Scaling.NONE));
        assertArrayEquals(pixels, in.data(), 0f);
        assertArrayEquals(Resources.npy("reference/inputs/cell_64_gray_model_input.npy").data(), in.data(), 0f);
        // and the image itself is untouched
        assertArrayEquals(pixels, (float[]) imp.getProcessor().getPixels(), 0f);
    }

    @Test
    void eightBitTypeScalingDividesBy255AndMinMaxSpansZeroToOne() {
        byte[] px = {0, 51, (byte) 255, 102};
        ModelInput t = ImageTensors.toTensor(List.of(ArrayImgs.unsignedBytes(px, 2, 2)), InputSpec.defaults());
        assertArrayEquals(new float[] {0f, 0.2f, 1f, 0.4f}, t.data(), 1e-7f);
        ModelInput m = ImageTensors.toTensor(List.of(ArrayImgs.unsignedBytes(px, 2, 2)),
                InputSpec.defaults().withScaling(Scaling.MINMAX));
        assertArrayEquals(new float[] {0f, 0.2f, 1f, 0.4f}, m.data(), 1e-7f);
    }

    @Test
    void compositeChannelsAreMappedInTheGivenOrder() {
        ImageStack stack = new ImageStack(2, 1);
        stack.addSlice(new FloatProcessor(2, 1, new float[] {1, 2}));
        stack.addSlice(new FloatProcessor(2, 1, new float[] {3, 4}));
        stack.addSlice(new FloatProcessor(2, 1, new float[] {5, 6}));
        ImagePlus imp = new ImagePlus("c", stack);
        imp.setDimensions(3, 1, 1);
        ModelInput in = ImageTensors.toTensor(ImageBridge.channels(imp),
                InputSpec.defaults().withChannels(3, 1));
        assertEquals(2, in.channels());
        assertArrayEquals(new float[] {5, 6, 1, 2}, in.data(), 0f);
        ModelInput rep = ImageTensors.toTensor(ImageBridge.channels(imp),
                InputSpec.defaults().withChannels(2, 2, 2));
        assertArrayEquals(new float[] {3, 4, 3, 4, 3, 4}, rep.data(), 0f);
        InputException e = assertThrows(InputException.class, () -> ImageTensors.toTensor(
                ImageBridge.channels(imp), InputSpec.defaults().withChannels(4)));
        assertTrue(e.getMessage().contains("Channel 4") && e.getMessage().contains("3 channel"), e.getMessage());
    }

    @Test
    void resizeUsesHalfPixelBilinear() {
        // 2x2 -> 4x4 with half-pixel centres: corners keep their values, inner samples interpolate by 1/4, 3/4.
        float[] src = {0, 1, 2, 3};
        float[] up = Resample.bilinear(src, 2, 2, 4, 4);
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2,
                2.25f, 2.75f, 3}, up, 1e-6f);
        assertTrue(Compare.pearson(src, Resample.bilinear(up, 4, 4, 2, 2)) > 0.999);
    }

    @Test
    void nanPixelsAreRefusedWithAClearMessage() {
        ImagePlus imp = new ImagePlus("nan", new FloatProcessor(2, 2, new float[] {0, Float.NaN, 1, 2}));
        InputException e = assertThrows(InputException.class,
                () -> ImageTensors.toTensor(ImageBridge.channels(imp), InputSpec.defaults()));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void optionParsersNameTheBadValue() {
        assertArrayEquals(new int[] {224, 224}, InputSpec.parseSize("224"));
        assertArrayEquals(new int[] {320, 240}, InputSpec.parseSize("320x240"));
        assertTrue(assertThrows(InputException.class, () -> InputSpec.parseSize("big")).getMessage()
                .contains("\"big\""));
        assertTrue(assertThrows(InputException.class, () -> InputSpec.parseFloats("mean", "0.5,x")).getMessage()
                .contains("mean"));
        assertTrue(assertThrows(InputException.class, () -> Scaling.parse("log")).getMessage()
                .contains("none, type, minmax"));
    }
}
