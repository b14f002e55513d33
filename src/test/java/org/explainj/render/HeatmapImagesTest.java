package org.explainj.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import org.junit.jupiter.api.Test;

/** One plane of an image flattened with its own overlay elements, as ImageJ shows that plane. */
class HeatmapImagesTest {

    private static ImageRoi square(int x, float value, int opacityPercent) {
        FloatProcessor fp = new FloatProcessor(2, 2, new float[] {value, value, value, value});
        fp.setMinAndMax(0, 1);
        ImageRoi r = new ImageRoi(x, 0, fp);
        r.setOpacity(opacityPercent / 100.0);
        return r;
    }

    @Test
    void aPlainStackKeepsOnlyThePlanesOwnOverlayElements() {
        ImageStack st = new ImageStack(6, 2);
        for (int z = 0; z < 3; z++) {
            st.addSlice("", new ByteProcessor(6, 2));
        }
        ImagePlus imp = new ImagePlus("s", st);
        Overlay o = new Overlay();
        for (int z = 1; z <= 3; z++) {
            ImageRoi r = square(2 * (z - 1), 1f, 100);
            r.setPosition(z);
            o.add(r);
        }
        imp.setOverlay(o);
        for (int z = 1; z <= 3; z++) {
            int[] rgb = (int[]) HeatmapImages.flattenPlane(imp, z).getProcessor().getPixels();
            for (int x = 0; x < 6; x++) {
                boolean own = x / 2 == z - 1;
                assertEquals(own ? 0xffffff : 0, rgb[x] & 0xffffff, "slice " + z + " x=" + x);
            }
        }
        assertArrayEquals(new int[] {6, 2}, new int[] {imp.getWidth(), imp.getHeight()});
    }

    @Test
    void aCompositeKeepsItsColours() {
        ImageStack st = new ImageStack(4, 4);
        for (int i = 0; i < 4; i++) { // 2 channels × 2 slices
            ByteProcessor bp = new ByteProcessor(4, 4);
            bp.setColor(i % 2 == 0 ? 200 : 100);
            bp.fill();
            st.addSlice("", bp);
        }
        ImagePlus hyper = new ImagePlus("c", st);
        hyper.setDimensions(2, 2, 1);
        CompositeImage comp = new CompositeImage(hyper, CompositeImage.COMPOSITE);
        int[] plane = (int[]) HeatmapImages.flattenPlane(comp, comp.getStackIndex(1, 2, 1)).getProcessor()
                .getPixels();
        int r = (plane[0] >> 16) & 0xff;
        int g = (plane[0] >> 8) & 0xff;
        assertNotEquals(r, g, "the channels' colours are lost: " + Integer.toHexString(plane[0]));
        // a one-plane composite: the same as ImagePlus.flatten()
        ImageStack two = new ImageStack(4, 4);
        two.addSlice("", st.getProcessor(1));
        two.addSlice("", st.getProcessor(2));
        ImagePlus onePlane = new ImagePlus("p", two);
        onePlane.setDimensions(2, 1, 1);
        CompositeImage c1 = new CompositeImage(onePlane, CompositeImage.COMPOSITE);
        assertArrayEquals((int[]) c1.flatten().getProcessor().getPixels(),
                (int[]) HeatmapImages.flattenPlane(c1, 1).getProcessor().getPixels());
    }
}
