package org.explainj.measure;

/**
 * A region of interest in map pixel coordinates: a bounding rectangle, which may extend beyond the map (or lie
 * outside it), and optionally a mask of the same size as the rectangle (row by row; true = inside). Without a mask
 * the whole rectangle is inside. This is how ImageJ describes a ROI ({@code Roi.getBounds()} and
 * {@code Roi.getMask()}), without ImageJ.
 */
public final class Region {

    private final String name;
    private final int x;
    private final int y;
    private final int width;
    private final int height;
    private final boolean[] mask;

    private Region(String name, int x, int y, int width, int height, boolean[] mask) {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException("region size " + width + "x" + height);
        }
        if (mask != null && mask.length != width * height) {
            throw new IllegalArgumentException("mask of " + mask.length + " for a " + width + "x" + height
                    + " region");
        }
        this.name = name == null || name.isBlank() ? "region" : name;
        this.x = x;
        this.y = y;
        this.width = width;
        this.height = height;
        this.mask = mask;
    }

    /** Every pixel of the rectangle [x, x + width) × [y, y + height). */
    public static Region rectangle(String name, int x, int y, int width, int height) {
        return new Region(name, x, y, width, height, null);
    }

    /**
     * The pixels of the rectangle whose mask entry is true.
     *
     * @param mask width × height entries, raster order within the rectangle; not copied
     */
    public static Region masked(String name, int x, int y, int width, int height, boolean[] mask) {
        if (mask == null) {
            throw new IllegalArgumentException("no mask");
        }
        return new Region(name, x, y, width, height, mask);
    }

    /** A region from a mask as large as the map (e.g. a label or ground-truth image). */
    public static Region fromFullMask(String name, boolean[] mask, int mapWidth, int mapHeight) {
        return masked(name, 0, 0, mapWidth, mapHeight, mask);
    }

    public String name() {
        return name;
    }

    public int x() {
        return x;
    }

    public int y() {
        return y;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Whether map pixel (mx, my) belongs to the region (regardless of whether it lies on the map). */
    public boolean contains(int mx, int my) {
        int rx = mx - x;
        int ry = my - y;
        if (rx < 0 || ry < 0 || rx >= width || ry >= height) {
            return false;
        }
        return mask == null || mask[ry * width + rx];
    }

    /** Whether the bounding rectangle reaches beyond a map of the given size. */
    public boolean exceeds(int mapWidth, int mapHeight) {
        return x < 0 || y < 0 || (long) x + width > mapWidth || (long) y + height > mapHeight;
    }

    /** The bounds as text, e.g. {@code x 10..29, y 0..9}. */
    public String boundsText() {
        return "x " + x + ".." + ((long) x + width - 1) + ", y " + y + ".." + ((long) y + height - 1);
    }
}
