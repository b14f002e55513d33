package org.explainj.render;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import org.explainj.ExplainJException;

/** Target regions from ImageJ: the image's selection, or a mask image (non-zero pixels), at the image's size. */
public final class Regions {

    private Regions() {
    }

    /**
     * @param spec {@code selection} (the image's current ROI) or the title of an open mask image of the same size
     * @return 1 inside, 0 outside, image width × height
     */
    public static float[] mask(ImagePlus image, String spec) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] mask = new float[w * h];
        if (spec.equalsIgnoreCase("selection")) {
            Roi roi = image.getRoi();
            if (roi == null || !roi.isArea()) {
                throw new ExplainJException("region=selection needs an area selection on " + image.getTitle()
                        + ": draw one (rectangle, oval, freehand...) or use region=none.");
            }
            ImageProcessor m = roi.getMask();
            java.awt.Rectangle b = roi.getBounds();
            for (int y = Math.max(0, b.y); y < Math.min(h, b.y + b.height); y++) {
                for (int x = Math.max(0, b.x); x < Math.min(w, b.x + b.width); x++) {
                    if (m == null || m.get(x - b.x, y - b.y) != 0) {
                        mask[y * w + x] = 1;
                    }
                }
            }
            return mask;
        }
        ImagePlus maskImage = WindowManager.getImage(spec);
        if (maskImage == null) {
            throw new ExplainJException("No open image is called \"" + spec + "\" to use as the target region. Use "
                    + "region=none, region=selection, or the title of an open mask image.");
        }
        if (maskImage.getWidth() != w || maskImage.getHeight() != h) {
            throw new ExplainJException("The mask image \"" + spec + "\" is " + maskImage.getWidth() + "x"
                    + maskImage.getHeight() + " but " + image.getTitle() + " is " + w + "x" + h + ".");
        }
        ImageProcessor ip = maskImage.getProcessor();
        for (int i = 0; i < w * h; i++) {
            mask[i] = ip.getf(i) != 0 ? 1 : 0;
        }
        return mask;
    }
}
