package org.explainj.measure;

/**
 * The numbers of one region on one heatmap, one row of the Results table.
 *
 * @param label      the row label
 * @param pixelCount pixels (voxels, on a volume) of the region on the map (NaN values excluded)
 * @param area       pixelCount × pixel area (voxel volume, on a volume), calibrated units
 * @param mean       mean value (NaN when pixelCount is 0)
 * @param intDen     integrated attribution: Σ values × pixel area (= area × mean, ImageJ's IntDen)
 * @param rawSum     Σ values (ImageJ's RawIntDen)
 * @param max        largest value (NaN when pixelCount is 0)
 * @param fraction   Σ max(v, 0) inside / Σ max(v, 0) over the map; 0 when the map has no positive values
 * @param pointing   1 when the map's global maximum (the first in raster order) lies in the region, else 0
 */
public record RoiStatistics(String label, long pixelCount, double area, double mean, double intDen, double rawSum,
                            double max, double fraction, int pointing) {

    /** The table's columns after the label, in order ({@code Volume} instead of {@code Area} on a volume). */
    public static final java.util.List<String> COLUMNS = java.util.List.of("Area", "Mean", "IntDen", "Max", "Fraction",
            "Pointing");

    /** The values of {@link #COLUMNS}, in that order (Pointing a whole number). */
    public java.util.List<Number> values() {
        return java.util.List.of(area, mean, intDen, max, fraction, pointing);
    }
}
