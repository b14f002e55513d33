package org.explainj.bioimage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The processing steps on small tensors whose results are known by hand (numpy's values in the comments). */
class TensorProcessingTest {

    private static final List<String> CYX = List.of("channel", "y", "x");

    /** numpy.quantile([1, 2, 3, 4, 10], [0.1, 0.5, 0.99], method="linear") = [1.4, 3.0, 9.76] */
    @Test
    void quantilesAreNumpysLinearOnes() {
        double[] v = {1, 2, 3, 4, 10};
        assertEquals(1.4, TensorProcessing.quantile(v, 0.1), 1e-12);
        assertEquals(3.0, TensorProcessing.quantile(v, 0.5), 1e-12);
        assertEquals(9.76, TensorProcessing.quantile(v, 0.99), 1e-12);
        assertEquals(1.0, TensorProcessing.quantile(v, 0), 0);
        assertEquals(10.0, TensorProcessing.quantile(v, 1), 0);
    }

    /** Two channels of 2×2; scale_range over y, x: each channel by its own percentiles. */
    @Test
    void scaleRangeOverYxIsPerChannel() {
        float[] v = {0, 10, 20, 30, 100, 100, 100, 300};
        TensorProcessing p = new TensorProcessing(CYX, new int[] {2, 2, 2}, "raw", "rdf.yaml");
        float[] out = p.apply(List.of(new ProcessingStep("scale_range", Map.of("axes", List.of("y", "x"),
                "min_percentile", 0, "max_percentile", 100, "eps", 0.0))), v);
        assertArrayEquals(new float[] {0, 1 / 3f, 2 / 3f, 1, 0, 0, 0, 1}, out, 1e-6f);
        // 0.4's letters and all axes at once: one range for both channels
        float[] all = p.apply(List.of(new ProcessingStep("scale_range", Map.of("mode", "per_sample", "axes", "cxy",
                "eps", 0.0))), v);
        assertEquals(1f, all[7], 1e-6f);
        assertEquals(100 / 300f, all[4], 1e-6f);
    }

    /** zero_mean_unit_variance: population std; [1, 2, 3, 4] has mean 2.5, std sqrt(1.25). */
    @Test
    void zeroMeanUnitVarianceUsesThePopulationStd() {
        TensorProcessing p = new TensorProcessing(CYX, new int[] {1, 2, 2}, "raw", "rdf.yaml");
        float[] out = p.apply(List.of(new ProcessingStep("zero_mean_unit_variance", Map.of("axes", "xy"))),
                new float[] {1, 2, 3, 4});
        double s = Math.sqrt(1.25) + 1e-6;
        assertArrayEquals(new float[] {(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)},
                out, 1e-6f);
    }

    @Test
    void fixedValuesRunAlongTheChannelAxis() {
        TensorProcessing p = new TensorProcessing(CYX, new int[] {2, 1, 2}, "raw", "rdf.yaml");
        float[] v = {10, 20, 10, 20};
        float[] fixed = p.apply(List.of(new ProcessingStep("fixed_zero_mean_unit_variance", Map.of("axis", "channel",
                "mean", List.of(10, 20), "std", List.of(1, 2)))), v);
        assertArrayEquals(new float[] {0, 10 / (1 + 1e-6f), -10 / (2 + 1e-6f), 0}, fixed, 1e-5f);
        // 0.4: mode fixed, lists along the axis 'axes' leaves out
        float[] v04 = p.apply(List.of(new ProcessingStep("zero_mean_unit_variance", Map.of("mode", "fixed", "axes",
                "yx", "mean", List.of(10, 20), "std", List.of(1, 2)))), v);
        assertArrayEquals(fixed, v04, 0);
        float[] linear = p.apply(List.of(new ProcessingStep("scale_linear", Map.of("axis", "channel", "gain",
                List.of(2, 3), "offset", 1))), v);
        assertArrayEquals(new float[] {21, 41, 31, 61}, linear, 0);
    }

    @Test
    void clipBinarizeSigmoidAndSoftmax() {
        TensorProcessing p = new TensorProcessing(CYX, new int[] {2, 1, 2}, "out", "rdf.yaml");
        float[] v = {-2, 0.5f, 3, 0};
        assertArrayEquals(new float[] {0, 0.5f, 1, 0}, p.apply(List.of(new ProcessingStep("clip", Map.of("min", 0,
                "max", 1))), v), 0);
        assertArrayEquals(new float[] {0, 1, 1, 0}, p.apply(List.of(new ProcessingStep("binarize",
                Map.of("threshold", 0.25))), v), 0);
        assertEquals(1 / (1 + Math.exp(2)), p.apply(List.of(new ProcessingStep("sigmoid", Map.of())), v)[0], 1e-7);
        float[] sm = p.apply(List.of(new ProcessingStep("softmax", Map.of("axis", "channel"))), v);
        assertEquals(1f, sm[0] + sm[2], 1e-6f);
        assertEquals(Math.exp(-2) / (Math.exp(-2) + Math.exp(3)), sm[0], 1e-7);
    }

    @Test
    void perDatasetStatisticsAndUnknownStepsAreRefused() {
        TensorProcessing p = new TensorProcessing(CYX, new int[] {1, 2, 2}, "raw", "rdf.yaml");
        PackageException dataset = assertThrows(PackageException.class, () -> p.check(new ProcessingStep(
                "zero_mean_unit_variance", Map.of("mode", "per_dataset", "axes", "xy"))));
        assertTrue(dataset.getMessage().contains("per_dataset") && dataset.getMessage().contains("mean="),
                dataset.getMessage());
        PackageException unknown = assertThrows(PackageException.class, () -> p.check(new ProcessingStep(
                "my_custom_normalizer", Map.of())));
        assertTrue(unknown.getMessage().contains("\"my_custom_normalizer\"")
                && unknown.getMessage().contains("scale_range"), unknown.getMessage());
        PackageException axis = assertThrows(PackageException.class, () -> p.check(new ProcessingStep(
                "scale_range", Map.of("axes", List.of("z", "y")))));
        assertTrue(axis.getMessage().contains("\"z\""), axis.getMessage());
    }
}
