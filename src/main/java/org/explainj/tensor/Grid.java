package org.explainj.tensor;

/**
 * The spatial extent of an image, a layer's activation or a map: width × height for a plane, width × height ×
 * depth for a volume (the spatial part of an N×C×H×W or N×C×D×H×W tensor). Values are stored x fastest, then y,
 * then z (C order of D×H×W).
 *
 * @param depth 0 for a plane (2-D), else the number of slices (a volume, even with one slice)
 */
public record Grid(int width, int height, int depth) {

    public Grid {
        if (width < 1 || height < 1 || depth < 0) {
            throw new IllegalArgumentException("bad grid " + width + "x" + height + "x" + depth);
        }
    }

    public static Grid plane(int width, int height) {
        return new Grid(width, height, 0);
    }

    public static Grid volume(int width, int height, int depth) {
        return new Grid(width, height, depth);
    }

    /** The spatial part of an N×C×H×W or N×C×D×H×W shape; null for other ranks. */
    public static Grid ofShape(long[] shape) {
        if (shape.length == 4) {
            return plane((int) shape[3], (int) shape[2]);
        }
        if (shape.length == 5) {
            return volume((int) shape[4], (int) shape[3], (int) shape[2]);
        }
        return null;
    }

    public boolean isVolume() {
        return depth > 0;
    }

    /** Number of slices: 1 for a plane. */
    public int slices() {
        return Math.max(depth, 1);
    }

    public int planeSize() {
        return width * height;
    }

    /** Number of positions (pixels or voxels). */
    public int size() {
        return width * height * slices();
    }

    /** The same kind of grid (plane or volume) with another size. */
    public Grid withSize(int w, int h, int d) {
        return new Grid(w, h, isVolume() ? d : 0);
    }

    /** ImgLib2 dimensions: {w, h} or {w, h, d}. */
    public long[] dimensions() {
        return isVolume() ? new long[] {width, height, depth} : new long[] {width, height};
    }

    /** The tensor shape with batch {@code n} and {@code channels}: n×C×H×W or n×C×D×H×W. */
    public long[] tensorShape(int n, int channels) {
        return isVolume() ? new long[] {n, channels, depth, height, width} : new long[] {n, channels, height, width};
    }

    @Override
    public String toString() {
        return isVolume() ? width + "x" + height + "x" + depth : width + "x" + height;
    }
}
