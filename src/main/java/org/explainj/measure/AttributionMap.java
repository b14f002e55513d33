package org.explainj.measure;

/**
 * A heatmap's values as the measurements see them: width × height values in raster order (row by row) and the
 * pixel size in calibrated units. The totals the per-region numbers are relative to (the positive attribution of
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
    private final double pixelWidth;
    private final double pixelHeight;
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
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("map size " + width + "x" + height);
        }
        if (values.length != width * height) {
            throw new IllegalArgumentException(values.length + " values for a " + width + "x" + height + " map");
        }
        if (!(pixelWidth > 0) || !(pixelHeight > 0) || Double.isInfinite(pixelWidth)
                || Double.isInfinite(pixelHeight)) {
            throw new IllegalArgumentException("pixel size " + pixelWidth + " x " + pixelHeight);
        }
        this.name = name == null ? "heatmap" : name;
        this.values = values;
        this.width = width;
        this.height = height;
        this.pixelWidth = pixelWidth;
        this.pixelHeight = pixelHeight;
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

    public float value(int x, int y) {
        return values[y * width + x];
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
        return maxIndex < 0 ? -1 : maxIndex / width;
    }

    /** The global maximum value (NaN if every value is NaN). */
    public float max() {
        return maxIndex < 0 ? Float.NaN : values[maxIndex];
    }
}
