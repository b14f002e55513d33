package org.explainj.explain;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import org.explainj.tensor.Resample;

/**
 * The result of one explanation: a 2-D map (raw values, no min–max unless asked) and what made it.
 *
 * @param map         width × height map, at the model input's resolution or, for layer methods, the layer's
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
        return of(values, width, height, method, layer, targetClass, scores, java.util.Map.of());
    }

    /** With method-specific figures, e.g. Integrated Gradients' completeness error. */
    public static Attribution of(float[] values, int width, int height, Method method, String layer,
                                 int targetClass, float[] scores, java.util.Map<String, Double> diagnostics) {
        return new Attribution(ArrayImgs.floats(values, width, height), method, layer, targetClass, scores,
                java.util.Map.copyOf(diagnostics));
    }

    public int width() {
        return (int) map.dimension(0);
    }

    public int height() {
        return (int) map.dimension(1);
    }

    /** The map's values (shared, row-major). */
    public float[] values() {
        return map.update(null).getCurrentStorageArray();
    }

    /** The target class's score (logit). */
    public float targetScore() {
        return scores[targetClass];
    }

    /** The map's values bilinearly resampled to another size (half-pixel centres, like OpenCV and PyTorch). */
    public float[] valuesAt(int width, int height) {
        return Resample.bilinear(values(), width(), height(), width, height);
    }
}
