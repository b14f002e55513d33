package org.explainj.measure;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-region numbers of an attribution map: Area, Mean, IntDen, Max (as ImageJ's Measure computes them), the share
 * of the map's positive attribution inside the region (Fraction) and whether the map's maximum lies inside it
 * (Pointing, the "pointing game" hit). A region is clipped to the map; one with no pixel on the map is an error. On a
 * volume (several slices measured as a whole) a region is a column through every slice: Area is then its volume,
 * and Fraction and Pointing refer to the whole volume.
 */
public final class AttributionMeasures {

    private AttributionMeasures() {
    }

    /** The row of one region, labelled with the region's name. */
    public static RoiStatistics measure(AttributionMap map, Region region) {
        return measure(map, region, region.name());
    }

    /**
     * The row of one region.
     *
     * @throws MeasureException when no pixel of the region lies on the map
     */
    public static RoiStatistics measure(AttributionMap map, Region region, String label) {
        int x0 = Math.max(0, region.x());
        int y0 = Math.max(0, region.y());
        int x1 = (int) Math.min(map.width(), (long) region.x() + region.width());
        int y1 = (int) Math.min(map.height(), (long) region.y() + region.height());
        long onMap = 0;
        long count = 0;
        double sum = 0;
        double positive = 0;
        float max = Float.NaN;
        boolean pointing = false;
        int maxX = map.maxX();
        int maxY = map.maxY();
        int maxZ = map.maxZ();
        for (int z = 0; z < map.depth(); z++) {
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    if (!region.contains(x, y)) {
                        continue;
                    }
                    onMap++;
                    if (x == maxX && y == maxY && z == maxZ) {
                        pointing = true;
                    }
                    float v = map.value(x, y, z);
                    if (Float.isNaN(v)) {
                        continue;
                    }
                    count++;
                    sum += v;
                    if (v > 0) {
                        positive += v;
                    }
                    if (Float.isNaN(max) || v > max) {
                        max = v;
                    }
                }
            }
        }
        if (onMap == 0) {
            throw new MeasureException("ROI \"" + region.name() + "\" lies entirely outside the heatmap \""
                    + map.name() + "\" (" + map.width() + "x" + map.height() + " pixels; the ROI's bounds: "
                    + region.boundsText() + "). Draw it on the heatmap (or on an image of the heatmap's size), or "
                    + "remove it from the ROI Manager.");
        }
        double pixelArea = map.cellSize();
        double area = count * pixelArea;
        double mean = count > 0 ? sum / count : Double.NaN;
        double fraction = map.hasPositive() ? positive / map.totalPositive() : 0;
        return new RoiStatistics(label, count, area, mean, sum * pixelArea, sum, count > 0 ? max : Double.NaN,
                fraction, pointing ? 1 : 0);
    }

    /** The rows of several regions, in order. */
    public static List<RoiStatistics> measureAll(AttributionMap map, List<Region> regions) {
        List<RoiStatistics> rows = new ArrayList<>(regions.size());
        for (Region r : regions) {
            rows.add(measure(map, r));
        }
        return rows;
    }
}
