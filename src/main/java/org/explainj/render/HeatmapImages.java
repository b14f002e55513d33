package org.explainj.render;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.measure.Calibration;
import ij.process.FloatProcessor;
import ij.process.LUT;

/** Heatmaps as ImageJ images: 32-bit, raw values, a LUT with a sensible display range, calibration kept. */
public final class HeatmapImages {

    private HeatmapImages() {
    }

    /**
     * A 32-bit image of the map (the array is shared). The display range is [0, max] for non-negative maps and
     * symmetric [−m, m] for signed ones.
     *
     * @param calibration the source image's calibration, rescaled when the map has another size than the image
     */
    public static ImagePlus create(String title, float[] values, int width, int height, LUT lut,
                                   Calibration calibration, int imageWidth, int imageHeight) {
        FloatProcessor fp = new FloatProcessor(width, height, values);
        applyLut(fp, lut);
        ImagePlus imp = new ImagePlus(title, fp);
        if (calibration != null) {
            Calibration cal = calibration.copy();
            cal.pixelWidth *= (double) imageWidth / width;
            cal.pixelHeight *= (double) imageHeight / height;
            imp.setCalibration(cal);
        }
        return imp;
    }

    /** Sets the LUT and the display range. */
    public static void applyLut(FloatProcessor fp, LUT lut) {
        float[] v = (float[]) fp.getPixels();
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        double min;
        double max;
        if (lo >= 0) {
            min = 0;
            max = hi > 0 ? hi : 1;
        } else {
            double m = Math.max(Math.abs(lo), Math.abs(hi));
            min = -m;
            max = m;
        }
        fp.setColorModel(lut);
        fp.setMinAndMax(min, max);
    }

    /**
     * Adds the heatmap (at the image's size) as an ImageRoi to the image's overlay, drawn through its LUT with the
     * given opacity. Only the overlay changes; the pixels do not.
     */
    public static ImageRoi addOverlay(ImagePlus image, FloatProcessor heatmapAtImageSize, double opacity,
                                      String name) {
        if (heatmapAtImageSize.getWidth() != image.getWidth() || heatmapAtImageSize.getHeight() != image.getHeight()) {
            throw new IllegalArgumentException("overlay size differs from the image size");
        }
        ImageRoi roi = new ImageRoi(0, 0, heatmapAtImageSize);
        roi.setOpacity(Math.max(0, Math.min(1, opacity)));
        roi.setName(name);
        Overlay overlay = image.getOverlay() == null ? new Overlay() : image.getOverlay();
        overlay.add(roi);
        image.setOverlay(overlay);
        return roi;
    }
}
