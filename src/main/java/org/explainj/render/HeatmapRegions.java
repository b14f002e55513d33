package org.explainj.render;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.util.Locale;
import org.explainj.measure.AttributionMap;
import org.explainj.measure.MeasureException;
import org.explainj.measure.Region;

/**
 * ImageJ's images and ROIs as the measuring core sees them: a heatmap image (a slice, or a z-stack as a volume) as an
 * {@link AttributionMap}, an area ROI as a {@link Region}, and the slice a ROI belongs to. Used by Measure Attribution
 * and the batch run.
 */
public final class HeatmapRegions {

    private HeatmapRegions() {
    }

    /** The z-slices of channel c and frame t as one volume, with the voxel size. */
    public static AttributionMap volumeMap(ImagePlus imp, int c, int t) {
        int nz = imp.getNSlices();
        int plane = imp.getWidth() * imp.getHeight();
        float[] values = new float[plane * nz];
        for (int z = 1; z <= nz; z++) {
            AttributionMap slice = attributionMap(imp, imp.getStackIndex(c, z, t));
            for (int i = 0; i < plane; i++) {
                values[(z - 1) * plane + i] = slice.value(i % imp.getWidth(), i / imp.getWidth());
            }
        }
        Calibration cal = imp.getCalibration();
        return new AttributionMap(imp.getTitle(), values, imp.getWidth(), imp.getHeight(), nz, size(cal.pixelWidth),
                size(cal.pixelHeight), size(cal.pixelDepth));
    }

    /** A calibrated pixel size, or 1 when it is not a positive finite number. */
    private static double size(double v) {
        return v > 0 && !Double.isInfinite(v) ? v : 1;
    }

    /**
     * The heatmap's values (the current slice; 8/16-bit through the image's value calibration) and pixel size.
     *
     * @throws MeasureException for a missing image or an RGB image
     */
    public static AttributionMap attributionMap(ImagePlus imp) {
        checkHeatmap(imp);
        return attributionMap(imp, imp.getCurrentSlice());
    }

    /**
     * The values of one slice of the heatmap (1-based stack index) and its pixel size.
     *
     * @throws MeasureException for a missing image or an RGB image
     */
    public static AttributionMap attributionMap(ImagePlus imp, int stackIndex) {
        checkHeatmap(imp);
        ImageProcessor ip = stackIndex == imp.getCurrentSlice() ? imp.getProcessor()
                : imp.getStack().getProcessor(stackIndex);
        int w = ip.getWidth();
        int h = ip.getHeight();
        float[] values;
        if (imp.getBitDepth() == 32) {
            values = (float[]) ip.getPixels();
        } else if (imp.getBitDepth() == 8 || imp.getBitDepth() == 16) {
            float[] table = imp.getCalibration().getCTable();
            values = new float[w * h];
            for (int i = 0; i < values.length; i++) {
                int raw = ip.get(i);
                values[i] = table != null ? table[raw] : raw;
            }
        } else {
            throw new MeasureException("\"" + imp.getTitle() + "\" is a " + imp.getBitDepth() + "-bit image; "
                    + "Measure Attribution needs a 32-bit, 8-bit or 16-bit greyscale heatmap.");
        }
        Calibration cal = imp.getCalibration();
        return new AttributionMap(imp.getTitle(), values, w, h, size(cal.pixelWidth), size(cal.pixelHeight));
    }

    /** Refuses a missing or RGB heatmap. */
    public static void checkHeatmap(ImagePlus imp) {
        if (imp == null || imp.getProcessor() == null) {
            throw new MeasureException("No heatmap: open one (File › Open...) or make one with Plugins › ExplainJ "
                    + "› Explain Image..., then measure it.");
        }
        if (imp.getType() == ImagePlus.COLOR_RGB) {
            throw new MeasureException("\"" + imp.getTitle() + "\" is an RGB image: its pixels are colours, not "
                    + "attribution values. Measure the 32-bit heatmap made by Explain Image... (or a copy saved as "
                    + "TIFF), not a coloured rendering or a flattened overlay.");
        }
    }

    /**
     * The stack index (1-based) a ROI Manager ROI is measured on: its (hyper)stack position when it has one, else
     * the heatmap's current slice.
     *
     * @throws MeasureException when the position lies beyond the heatmap's stack
     */
    public static int stackIndex(ImagePlus imp, Roi roi, String name) {
        int n = imp.getStackSize();
        if (n == 1) {
            return 1;
        }
        int[] czt = imp.convertIndexToPosition(imp.getCurrentSlice());
        if (roi.hasHyperStackPosition()) {
            int c = roi.getCPosition() > 0 ? roi.getCPosition() : czt[0];
            int z = roi.getZPosition() > 0 ? roi.getZPosition() : czt[1];
            int t = roi.getTPosition() > 0 ? roi.getTPosition() : czt[2];
            if (c > imp.getNChannels() || z > imp.getNSlices() || t > imp.getNFrames()) {
                throw new MeasureException("ROI \"" + name + "\" belongs to c=" + c + ", z=" + z + ", t=" + t
                        + ", but the heatmap \"" + imp.getTitle() + "\" has " + imp.getNChannels() + " channel(s), "
                        + imp.getNSlices() + " slice(s) and " + imp.getNFrames() + " frame(s).");
            }
            return imp.getStackIndex(c, z, t);
        }
        int p = roi.getPosition();
        if (p > n) {
            throw new MeasureException("ROI \"" + name + "\" belongs to slice " + p + ", but the heatmap \""
                    + imp.getTitle() + "\" has " + n + " slices.");
        }
        return p > 0 ? p : imp.getCurrentSlice();
    }

    /**
     * An ImageJ area ROI as a region in pixel coordinates: its bounds and its mask (as {@code ImageProcessor.setRoi}
     * and ImageJ's Measure use them).
     *
     * @throws MeasureException for a line or point selection
     */
    public static Region region(Roi roi, String name) {
        if (!roi.isArea()) {
            throw new MeasureException("ROI \"" + name + "\" is a " + roi.getTypeAsString().toLowerCase(Locale.ROOT)
                    + " selection; Measure Attribution needs area ROIs (rectangle, oval, polygon, freehand, "
                    + "composite...).");
        }
        Rectangle b = roi.getBounds();
        ImageProcessor m = roi.getMask();
        if (m == null) {
            return Region.rectangle(name, b.x, b.y, b.width, b.height);
        }
        int mw = Math.min(b.width, m.getWidth());
        int mh = Math.min(b.height, m.getHeight());
        boolean[] inside = new boolean[b.width * b.height];
        for (int y = 0; y < mh; y++) {
            for (int x = 0; x < mw; x++) {
                inside[y * b.width + x] = m.get(x, y) != 0;
            }
        }
        return Region.masked(name, b.x, b.y, b.width, b.height, inside);
    }

}
