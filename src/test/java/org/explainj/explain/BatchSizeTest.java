package org.explainj.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch size of the batched methods: a given {@code batch_size} is used as given; 0 lets the activation memory
 * per input choose (at most 32, fewer for models with large activations); the maps do not depend on it beyond float
 * rounding.
 */
class BatchSizeTest {

    @TempDir
    static Path cache;

    static ModelCache models;

    @BeforeAll
    static void load() {
        models = new ModelCache(cache);
    }

    @AfterAll
    static void close() {
        models.clear();
    }

    private static ModelInput noise(int channels, int side, long seed) {
        Random r = new Random(seed);
        float[] x = new float[channels * side * side];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return new ModelInput(x, channels, side, side);
    }

    @Test
    void aGivenBatchSizeIsUsedAsGivenAndTheAutomaticOneShrinksWithTheActivations() {
        TorchScriptModel resnet = models.get(Resources.path("models/resnet18n_traced.pt"));
        ExplainOptions auto = ExplainOptions.defaults().with(Options.BATCH_SIZE, 0);
        for (int given : new int[] {1, 5, 32, 100}) {
            assertEquals(given, MemoryGuard.batchSize(resnet, noise(3, 64, 1),
                    ExplainOptions.defaults().with(Options.BATCH_SIZE, given)));
        }
        int small = MemoryGuard.batchSize(resnet, noise(3, 64, 1), auto);
        int large = MemoryGuard.batchSize(resnet, noise(3, 1024, 1), auto);
        assertTrue(small >= 1 && small <= 32 && large >= 1 && large <= 32, small + ", " + large);
        assertTrue(large < small, "1024² gets a smaller batch than 64²: " + large + " vs " + small);
        assertEquals(32, small, "a small model at 64² fits 32 per batch");
    }

    @Test
    void theMapsDoNotDependOnTheBatchSize() {
        TorchScriptModel m = models.get(Path.of("test-images/demo/ringnet_traced.pt"));
        ModelInput x = noise(1, 96, 3);
        ExplainOptions o = ExplainOptions.defaults().with(Options.SAMPLES, 9).with(Options.STEPS, 9)
                .with(Options.WINDOW, 16).with(Options.STRIDE, 16);
        for (Method method : new Method[] {Method.SMOOTH_GRAD, Method.INTEGRATED_GRADIENTS, Method.SCORE_CAM,
            Method.OCCLUSION}) {
            float[] one = Explainers.of(method).explain(m, x, Target.TOP, o.with(Options.BATCH_SIZE, 1)).values();
            for (int batch : new int[] {0, 4, 32}) {
                float[] other = Explainers.of(method).explain(m, x, Target.TOP, o.with(Options.BATCH_SIZE, batch))
                        .values();
                double max = 0;
                double worst = 0;
                for (int i = 0; i < one.length; i++) {
                    max = Math.max(max, Math.abs(one[i]));
                    worst = Math.max(worst, Math.abs(one[i] - other[i]));
                }
                assertTrue(max > 0, method + ": an empty map");
                assertTrue(worst <= 1e-5 * max, method + " batch_size=" + batch + " vs 1: " + worst + " of " + max);
            }
        }
    }
}
