package org.explainj.measure;

/**
 * A heatmap's values as the measurements see them: width × height values in raster order (row by row), or for a
 * volume (a 3-D model's map, measured as a whole) width × height × depth values slice after slice, and the pixel
 * (voxel) size in calibrated units. The totals the per-region numbers are relative to (the positive attribution of
 * the whole map, the position of its maximum) are computed once, here.
 *
 * <p>NaN values are not attribution: like ImageJ's Measure, they count neither towards a region's area nor towards
 * any sum, mean or maximum.
 */
public final class AttributionMap {

    private final String name;
    private final float[] values;
    private final int width;
    private final int height;
    private final int depth;
    private final double pixelWidth;
    private final double pixelHeight;
    private final double pixelDepth;
    private final double totalPositive;
    private final int maxIndex;

    /**
     * @param name        the heatmap's name, for messages
     * @param values      width × height values, raster order; not copied
     * @param pixelWidth  calibrated width of one pixel (1 for uncalibrated)
     * @param pixelHeight calibrated height of one pixel (1 for uncalibrated)
     */
    public AttributionMap(String name, float[] values, int width, int height, double pixelWidth,
                          double pixelHeight) {
        this(name, values, width, height, 1, pixelWidth, pixelHeight, 1);
    }

    /**
     * A volume: {@code depth} slices of width × height values, one slice after the other.
     *
     * @param pixelDepth calibrated depth of one voxel (slice spacing; 1 for uncalibrated)
     */
    public AttributionMap(String name, float[] values, int width, int height, int depth, double pixelWidth,
                          double pixelHeight, double pixelDepth) {
        if (width <= 0 || height <= 0 || depth <= 0) {
            throw new IllegalArgumentException("map size " + width + "x" + height + "x" + depth);
        }
        if (values.length != (long) width * height * depth) {
            throw new IllegalArgumentException(values.length + " values for a " + width + "x" + height + "x" + depth
                    + " map");
        }
        if (!(pixelWidth > 0) || !(pixelHeight > 0) || !(pixelDepth > 0) || Double.isInfinite(pixelWidth)
                || Double.isInfinite(pixelHeight) || Double.isInfinite(pixelDepth)) {
            throw new IllegalArgumentException("pixel size " + pixelWidth + " x " + pixelHeight + " x " + pixelDepth);
        }
        this.name = name == null ? "heatmap" : name;
        this.values = values;
        this.width = width;
        this.height = height;
        this.depth = depth;
        this.pixelWidth = pixelWidth;
        this.pixelHeight = pixelHeight;
        this.pixelDepth = pixelDepth;
        double positive = 0;
        int argmax = -1;
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (v > 0) {
                positive += v;
            }
            if (argmax < 0 || v > values[argmax]) { // strict: ties keep the first in raster order
                argmax = i;
            }
        }
        this.totalPositive = positive;
        this.maxIndex = argmax;
    }

    /** An uncalibrated map (pixel size 1 × 1). */
    public AttributionMap(String name, float[] values, int width, int height) {
        this(name, values, width, height, 1, 1);
    }

    public String name() {
        return name;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Number of slices: 1 for a plane. */
    public int depth() {
        return depth;
    }

    public float value(int x, int y) {
        return values[y * width + x];
    }

    /** The value at (x, y) of slice z (0-based). */
    public float value(int x, int y, int z) {
        return values[(z * height + y) * width + x];
    }

    public double pixelWidth() {
        return pixelWidth;
    }

    public double pixelHeight() {
        return pixelHeight;
    }

    /** Calibrated area of one pixel. */
    public double pixelArea() {
        return pixelWidth * pixelHeight;
    }

    /** What one value stands for: the calibrated pixel area, or for a volume the voxel volume. */
    public double cellSize() {
        return depth > 1 ? pixelWidth * pixelHeight * pixelDepth : pixelArea();
    }

    /** Σ max(v, 0) over the map. */
    public double totalPositive() {
        return totalPositive;
    }

    /** Whether any value is &gt; 0 (otherwise every region's Fraction is 0). */
    public boolean hasPositive() {
        return totalPositive > 0;
    }

    /** Raster index of the global maximum (the first one in raster order on ties), or −1 if every value is NaN. */
    public int maxIndex() {
        return maxIndex;
    }

    /** x of the global maximum, or −1. */
    public int maxX() {
        return maxIndex < 0 ? -1 : maxIndex % width;
    }

    /** y of the global maximum, or −1. */
    public int maxY() {
        return maxIndex < 0 ? -1 : maxIndex / width % height;
    }

    /** Slice (0-based) of the global maximum, or −1. */
    public int maxZ() {
        return maxIndex < 0 ? -1 : maxIndex / (width * height);
    }

    /** The global maximum value (NaN if every value is NaN). */
    public float max() {
        return maxIndex < 0 ? Float.NaN : values[maxIndex];
    }
}
