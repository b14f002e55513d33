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
        copyCalibration(imp, calibration, width, height, imageWidth, imageHeight);
        return imp;
    }

    /**
     * A 32-bit stack of maps (arrays shared) with one display range for all slices ([0, max] or [−m, m]).
     */
    public static ImagePlus createStack(String title, java.util.List<float[]> maps, java.util.List<String> labels,
                                        int width, int height, LUT lut, Calibration calibration, int imageWidth,
                                        int imageHeight) {
        if (maps.size() == 1) {
            ImagePlus single = create(title, maps.get(0), width, height, lut, calibration, imageWidth, imageHeight);
            single.setProperty("Label", labels.get(0));
            return single;
        }
        ij.ImageStack stack = new ij.ImageStack(width, height);
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < maps.size(); i++) {
            stack.addSlice(labels.get(i), new FloatProcessor(width, height, maps.get(i)));
            for (float f : maps.get(i)) {
                lo = Math.min(lo, f);
                hi = Math.max(hi, f);
            }
        }
        ImagePlus imp = new ImagePlus(title, stack);
        double[] range = range(lo, hi);
        imp.getProcessor().setColorModel(lut);
        imp.setLut(lut);
        imp.setDisplayRange(range[0], range[1]);
        copyCalibration(imp, calibration, width, height, imageWidth, imageHeight);
        return imp;
    }

    /** The source image's calibration, pixel size rescaled when the map has another size than the image. */
    private static void copyCalibration(ImagePlus imp, Calibration calibration, int width, int height, int imageWidth,
                                        int imageHeight) {
        if (calibration != null) {
            Calibration cal = calibration.copy();
            cal.pixelWidth *= (double) imageWidth / width;
            cal.pixelHeight *= (double) imageHeight / height;
            imp.setCalibration(cal);
        }
    }

    /** [0, max] for non-negative values, else symmetric [−m, m]; [0, 1] for an all-zero map. */
    static double[] range(float lo, float hi) {
        if (lo >= 0) {
            return new double[] {0, hi > 0 ? hi : 1};
        }
        double m = Math.max(Math.abs(lo), Math.abs(hi));
        return new double[] {-m, m};
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
        double[] range = range(lo, hi);
        fp.setColorModel(lut);
        fp.setMinAndMax(range[0], range[1]);
    }

    /** The name of every heatmap element ExplainJ puts in an image's overlay starts with this. */
    public static final String OVERLAY_PREFIX = "ExplainJ ";

    /**
     * Adds the heatmap (at the image's size) as an ImageRoi to the image's overlay, drawn through its LUT with the
     * given opacity, positioned by {@code position}. Only the overlay changes; the pixels do not. An ExplainJ heatmap
     * already in the overlay at the same position is replaced, not covered: explaining an image again (another
     * method, another target) shows the new map alone, and a macro that explains one image many times does not pile
     * up heatmaps in its overlay. The user's own overlay elements stay.
     */
    public static ImageRoi addOverlay(ImagePlus image, FloatProcessor heatmapAtImageSize, double opacity,
                                      String name, java.util.function.Consumer<ImageRoi> position) {
        if (heatmapAtImageSize.getWidth() != image.getWidth() || heatmapAtImageSize.getHeight() != image.getHeight()) {
            throw new IllegalArgumentException("overlay size differs from the image size");
        }
        ImageRoi roi = new ImageRoi(0, 0, heatmapAtImageSize);
        roi.setOpacity(Math.max(0, Math.min(1, opacity)));
        roi.setName(name);
        position.accept(roi);
        Overlay overlay = image.getOverlay() == null ? new Overlay() : image.getOverlay();
        for (ij.gui.Roi r : overlay.toArray()) {
            if (r instanceof ImageRoi && r.getName() != null && r.getName().startsWith(OVERLAY_PREFIX)
                    && r.getPosition() == roi.getPosition() && r.getCPosition() == roi.getCPosition()
                    && r.getZPosition() == roi.getZPosition() && r.getTPosition() == roi.getTPosition()) {
                overlay.remove(r);
            }
        }
        overlay.add(roi);
        image.setOverlay(overlay);
        return roi;
    }

    /**
     * The z-slice (1-based) holding the largest value of the heatmap's first channel and frame: where to look in
     * a heatmap z-stack, e.g. which slice of the image to flatten with its overlay. 1 for a single plane.
     */
    public static int peakSlice(ImagePlus heatmap) {
        int best = 1;
        float max = Float.NEGATIVE_INFINITY;
        for (int z = 1; z <= heatmap.getNSlices(); z++) {
            float[] v = (float[]) heatmap.getStack().getProcessor(heatmap.getStackIndex(1, z, 1)).convertToFloat()
                    .getPixels();
            for (float f : v) {
                if (f > max) {
                    max = f;
                    best = z;
                }
            }
        }
        return best;
    }

    /**
     * An RGB copy of one plane of the image (1-based stack index) with the overlay elements that belong to that
     * plane drawn in, as ImageJ shows it on screen. (ImagePlus.flatten() draws every element of a stack's overlay,
     * whatever its position.) The image itself is not changed.
     */
    public static ImagePlus flattenPlane(ImagePlus image, int stackIndex) {
        if (image.getNSlices() * image.getNFrames() == 1) {
            return image.flatten(); // one plane (all channels of a composite shown as ImageJ shows them)
        }
        int[] czt = image.convertIndexToPosition(stackIndex);
        // every channel of plane (z, t), with the image's LUTs and display ranges
        ImagePlus plane = new ij.plugin.Duplicator().run(image, 1, image.getNChannels(), czt[1], czt[1], czt[2],
                czt[2]);
        if (!plane.isComposite()) {
            plane.getProcessor().setLut(image.getProcessor().getLut());
            plane.setDisplayRange(image.getDisplayRangeMin(), image.getDisplayRangeMax());
        }
        boolean hyper = image.isHyperStack() || image.getNChannels() > 1;
        Overlay mine = new Overlay();
        if (image.getOverlay() != null) {
            for (ij.gui.Roi r : image.getOverlay().toArray()) {
                boolean belongs = hyper && r.hasHyperStackPosition()
                        ? (r.getZPosition() == 0 || r.getZPosition() == czt[1])
                        && (r.getTPosition() == 0 || r.getTPosition() == czt[2])
                        : r.getPosition() == 0 || r.getPosition() == stackIndex;
                if (belongs) {
                    ij.gui.Roi copy = (ij.gui.Roi) r.clone();
                    copy.setPosition(0);
                    mine.add(copy);
                }
            }
        }
        plane.setOverlay(mine);
        return plane.flatten();
    }
}
