package org.explainj.explain;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import org.explainj.tensor.Grid;
import org.explainj.tensor.Resample;

/**
 * The result of one explanation: a map (raw values, no min–max unless asked) and what made it. The map is 2-D
 * (width × height) for 2-D models and 3-D (width × height × depth) for 3-D models.
 *
 * @param map         the map, at the model input's resolution or, for layer methods, the layer's
 * @param method      the method
 * @param layer       the explained layer, or null for input-gradient methods
 * @param targetClass the explained class index
 * @param scores      the model's output scores (logits) for the input
 * @param diagnostics method-specific figures (e.g. {@code completeness_error} of Integrated Gradients)
 */
public record Attribution(ArrayImg<FloatType, FloatArray> map, Method method, String layer, int targetClass,
                          float[] scores, java.util.Map<String, Double> diagnostics) {

    public static Attribution of(float[] values, int width, int height, Method method, String layer,
                                 int targetClass, float[] scores) {
        return of(values, Grid.plane(width, height), method, layer, targetClass, scores, java.util.Map.of());
    }

    /** With method-specific figures, e.g. Integrated Gradients' completeness error. */
    public static Attribution of(float[] values, int width, int height, Method method, String layer,
                                 int targetClass, float[] scores, java.util.Map<String, Double> diagnostics) {
        return of(values, Grid.plane(width, height), method, layer, targetClass, scores, diagnostics);
    }

    /** A plane or volume map. */
    public static Attribution of(float[] values, Grid grid, Method method, String layer, int targetClass,
                                 float[] scores) {
        return of(values, grid, method, layer, targetClass, scores, java.util.Map.of());
    }

    public static Attribution of(float[] values, Grid grid, Method method, String layer, int targetClass,
                                 float[] scores, java.util.Map<String, Double> diagnostics) {
        if (values.length != grid.size()) {
            throw new IllegalArgumentException(values.length + " values for a " + grid + " map");
        }
        return new Attribution(ArrayImgs.floats(values, grid.dimensions()), method, layer, targetClass, scores,
                java.util.Map.copyOf(diagnostics));
    }

    public int width() {
        return (int) map.dimension(0);
    }

    public int height() {
        return (int) map.dimension(1);
    }

    /** Number of slices: 1 for a 2-D map. */
    public int depth() {
        return map.numDimensions() > 2 ? (int) map.dimension(2) : 1;
    }

    /** The map's extent: a plane, or a volume for 3-D models. */
    public Grid grid() {
        return map.numDimensions() > 2 ? Grid.volume(width(), height(), depth()) : Grid.plane(width(), height());
    }

    /** The map's values (shared; x fastest, then y, then z). */
    public float[] values() {
        return map.update(null).getCurrentStorageArray();
    }

    /** The target class's score (logit). */
    public float targetScore() {
        return scores[targetClass];
    }

    /**
     * A 2-D map's values bilinearly resampled to another size (half-pixel centres, like OpenCV and PyTorch); a 3-D
     * map's slices resampled in-plane, keeping the number of slices.
     */
    public float[] valuesAt(int width, int height) {
        return valuesAt(grid().withSize(width, height, depth()));
    }

    /** The values linearly resampled (bilinear or trilinear, half-pixel centres) to a grid of the same kind. */
    public float[] valuesAt(Grid to) {
        return Resample.linear(values(), grid(), to);
    }
}
