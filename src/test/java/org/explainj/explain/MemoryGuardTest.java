package org.explainj.explain;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory guard: estimates grow with the input and with the method's needs, a run that would not fit is refused
 * before it starts with the estimate and a size that fits, and the available memory is read from the system. (How
 * close the estimate is to measured peaks is in the README; it is measured in separate JVMs, not here.)
 */
class MemoryGuardTest {

    @TempDir
    static Path cache;

    static ModelCache models;
    static TorchScriptModel resnet;

    @BeforeAll
    static void load() {
        models = new ModelCache(cache);
        resnet = models.get(Resources.path("models/resnet18n_traced.pt"));
    }

    @AfterAll
    static void close() {
        models.clear();
    }

    @AfterEach
    void resetAvailable() {
        System.clearProperty("explainj.memory.available");
    }

    private static ModelInput rgb(int side) {
        return new ModelInput(new float[3 * side * side], 3, side, side);
    }

    private static long estimate(Method m, int side) {
        return MemoryGuard.estimate(m, resnet, rgb(side), ExplainOptions.defaults()).nativeBytes();
    }

    @Test
    void estimatesGrowWithTheInputAndWithWhatTheMethodKeeps() {
        long s1 = estimate(Method.SALIENCY, 1024);
        long s4 = estimate(Method.SALIENCY, 4096);
        // activations scale with the pixel count: 16x the pixels, about 16x the memory above the fixed part
        assertTrue(s4 > 12 * (s1 - 150L * (1 << 20)), s1 + " -> " + s4);
        assertTrue(estimate(Method.GUIDED_BACKPROP, 1024) > s1, "ReLU stages keep more than a plain backward");
        ExplainOptions batch8 = ExplainOptions.defaults().with(Options.BATCH_SIZE, 8).with(Options.STEPS, 50).with(Options.INTEGRATION, "gausslegendre").with(Options.BASELINE, (double) (0));
        long ig8 = MemoryGuard.estimate(Method.INTEGRATED_GRADIENTS, resnet, rgb(1024), batch8).nativeBytes();
        assertTrue(ig8 > 6 * (s1 - 150L * (1 << 20)), "a batch of 8 gradients: " + ig8 + " vs " + s1);
    }

    @Test
    void aRunThatWouldNotFitIsRefusedWithTheEstimateAndASizeThatFits() {
        System.setProperty("explainj.memory.available", Long.toString(3L << 30)); // 3 GB
        ModelInput big = rgb(6000);
        MethodException e = assertThrows(MethodException.class, () -> MemoryGuard.check(Method.GUIDED_BACKPROP,
                resnet, big, ExplainOptions.defaults()));
        String msg = e.getMessage();
        assertTrue(msg.contains("Guided Backprop on a 6000x6000 input") && msg.contains("needs about")
                && msg.contains("GB of memory") && msg.contains("input_size=") && msg.contains("Image › Crop"), msg);
        Matcher size = Pattern.compile("input_size=(\\d+)").matcher(msg);
        assertTrue(size.find(), msg);
        int side = Integer.parseInt(size.group(1));
        assertTrue(side >= 32 && side < 6000, msg);
        // the suggested size fits the same budget
        assertDoesNotThrow(() -> MemoryGuard.check(Method.GUIDED_BACKPROP, resnet, rgb(side),
                ExplainOptions.defaults()));
        // and the explainer itself refuses before running anything
        MethodException viaExplainer = assertThrows(MethodException.class, () -> Explainers.of(
                Method.GUIDED_BACKPROP).explain(resnet, big, Target.TOP, ExplainOptions.defaults()));
        assertTrue(viaExplainer.getMessage().contains("needs about"), viaExplainer.getMessage());
    }

    @Test
    void enoughMemoryLetsTheRunGoAndTheSystemFigureIsRead() {
        assertTrue(MemoryGuard.available() > 0, "MemAvailable or a cgroup limit");
        assertDoesNotThrow(() -> MemoryGuard.check(Method.SALIENCY, resnet, rgb(96), ExplainOptions.defaults()));
        System.setProperty("explainj.memory.available", Long.toString(1L << 40));
        assertDoesNotThrow(() -> MemoryGuard.check(Method.GUIDED_BACKPROP, resnet, rgb(6000),
                ExplainOptions.defaults()));
    }
}
