package org.explainj.robust;

import org.explainj.explain.Options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainers;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two explanations at once: on one TorchScriptModel from two threads, through ModelCache.shared() from two
 * commands, and on two models. Each must give exactly the single-thread result, without a deadlock.
 */
@Slow
class RobustConcurrencyTest {

    @TempDir
    Path tmp;

    private static final Method[] METHODS = {Method.SALIENCY, Method.GRAD_CAM, Method.GUIDED_BACKPROP,
        Method.SCORE_CAM, Method.INTEGRATED_GRADIENTS, Method.OCCLUSION};

    private static float[] explain(TorchScriptModel m, ModelInput x, Method method) {
        ExplainOptions o = ExplainOptions.defaults().with(Options.STEPS, 16).with(Options.INTEGRATION, "gausslegendre").with(Options.BASELINE, (double) (0));
        if (method.usesLayer()) {
            o = o.with(Options.LAYER, "features.relu4");
        }
        return Explainers.of(method).explain(m, x, Target.TOP, o).values();
    }

    @Test
    void twoThreadsOnOneModelGiveTheSingleThreadResults() throws Exception {
        ModelCache cache = new ModelCache(tmp.resolve("cache"));
        try {
            TorchScriptModel m = cache.get(Fixtures.TINY);
            ModelInput x = Fixtures.synthInput();
            List<float[]> ref = new ArrayList<>();
            for (Method method : METHODS) {
                ref.add(explain(m, x, method));
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
                    List<Future<String>> futures = new ArrayList<>();
                    for (int t = 0; t < 2; t++) {
                        int offset = t;
                        futures.add(pool.submit(() -> {
                            for (int round = 0; round < 3; round++) {
                                for (int k = 0; k < METHODS.length; k++) {
                                    int i = (k + offset * 3) % METHODS.length; // the threads run different methods
                                    assertArrayEquals(ref.get(i), explain(m, x, METHODS[i]), METHODS[i] + " thread "
                                            + offset);
                                }
                            }
                            return "ok";
                        }));
                    }
                    for (Future<String> f : futures) {
                        assertEquals("ok", f.get());
                    }
                }, "deadlock: two threads on one model did not finish");
            } finally {
                pool.shutdownNow();
            }
            Survey.record("concurrency: two threads, one TorchScriptModel, 6 methods x 3 rounds",
                    "bit-identical to the single-thread results, no deadlock");
        } finally {
            cache.clear();
        }
    }

    @Test
    void twoCommandsAtOnceThroughTheSharedCacheAndTwoModelsAtOnce() throws Exception {
        Callable<float[]> tiny = () -> {
            ExplainImageCommand c = Fixtures.command(Fixtures.synth(), Fixtures.TINY, "Grad-CAM");
            c.layer = "features.relu4";
            c.run();
            return (float[]) c.heatmap.getProcessor().getPixels();
        };
        Callable<float[]> ring = () -> {
            ExplainImageCommand c = Fixtures.command(Fixtures.ringCell(), Fixtures.RINGNET, "SmoothGrad");
            c.samples = 8;
            c.run();
            return (float[]) c.heatmap.getProcessor().getPixels();
        };
        float[] tinyRef = tiny.call();
        float[] ringRef = ring.call();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
                List<Future<float[]>> a = new ArrayList<>();
                List<Future<float[]>> b = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    a.add(pool.submit(tiny));
                    a.add(pool.submit(tiny));
                    b.add(pool.submit(ring));
                }
                for (Future<float[]> f : a) {
                    assertArrayEquals(tinyRef, f.get(), "tinycnn Grad-CAM, concurrent commands");
                }
                for (Future<float[]> f : b) {
                    assertArrayEquals(ringRef, f.get(), "RingNet SmoothGrad, concurrent with tinycnn");
                }
            }, "deadlock: concurrent commands did not finish");
        } finally {
            pool.shutdownNow();
        }
        Survey.record("concurrency: 3 threads, ModelCache.shared(), 2 models (8 Grad-CAM + 4 SmoothGrad commands)",
                "bit-identical to the single-thread results, no deadlock");
    }

    /**
     * The model file is replaced 40 times while another thread explains with the model the cache handed out; the
     * cache's next get() closes that model while the explanation may be running. Every explanation must give one of
     * the two models' maps or be refused; run in a child JVM, where a use-after-free in libtorch kills only the
     * child.
     */
    @Test
    void reloadingAModelWhileItIsUsedNeitherCrashesNorFailsRawly() throws Exception {
        Survey.Child c = Survey.child(60, List.of("-Xmx512m"), "reload", Fixtures.TINY.toString(),
                Files.createTempDirectory(tmp, "reload").toString());
        String seen = "exit " + c.exit() + (c.timedOut() ? " (killed after 60 s)" : "") + "; "
                + c.out().replace('\n', ' ') + (c.exit() != 0 ? c.err().lines().filter(l -> !l.contains("ai.djl"))
                .reduce(" stderr:", (x, y) -> x + " " + y) : "");
        Survey.record("concurrency: model file replaced (cache reload) while another thread explains", seen);
        assertFalse(c.timedOut(), seen);
        assertEquals(0, c.exit(), "the JVM crashed: " + seen);
        String worker = c.out().lines().filter(l -> l.startsWith("RELOAD worker:")).findFirst().orElse("");
        assertTrue(worker.contains("stopped by nothing"), "an explanation failed other than by a refusal: " + worker);
        assertTrue(worker.contains(" 0 different"), "an explanation gave a map of neither model: " + worker);
        assertTrue(c.out().contains("RELOAD reloads: 40"), seen);
        assertFalse(worker.startsWith("RELOAD worker: 0 same"), "no explanation finished: " + worker);
    }
}
