package org.explainj.robust;

import org.explainj.explain.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.explainj.ExplainJException;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Target;
import org.explainj.explain.cam.GradCam;
import org.explainj.explain.gradient.Saliency;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Child JVMs of the robustness tests, for what may crash a JVM or needs a quiet one to measure memory:
 * <ul>
 * <li>{@code rss MODEL WORK}: resident memory (VmRSS) before and after 1,000 failed explanations of each kind;
 * prints {@code RSS kind before after} lines;</li>
 * <li>{@code reload MODEL WORK}: one thread explains in a loop while the model file is replaced and the cache
 * reloads (and closes) the model the thread is using; prints {@code RELOAD ...} lines.</li>
 * </ul>
 */
public final class RobustChildMain {

    private RobustChildMain() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[1]);
        Path work = Files.createDirectories(Path.of(args[2]));
        switch (args[0]) {
            case "rss" -> rss(model, work);
            case "reload" -> reload(model, work);
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0);
    }

    static long rssKb() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
    }

    private interface Call {
        void run() throws Exception;
    }

    /** Runs {@code call} n times; every run must fail with an ExplainJException. */
    private static void failing(int n, Call call) throws Exception {
        for (int i = 0; i < n; i++) {
            try {
                call.run();
                throw new IllegalStateException("call " + i + " did not fail");
            } catch (ExplainJException expected) {
                // the failure under test
            }
        }
    }

    private static void rss(Path model, Path work) throws Exception {
        ModelCache cache = new ModelCache(work.resolve("cache"));
        TorchScriptModel m = cache.get(model);
        ModelInput x = Fixtures.synthInput();
        ModelInput dot = new ModelInput(new float[] {0.5f}, 1, 1, 1);
        ExplainOptions gradCam = ExplainOptions.defaults().with(Options.LAYER, "features.relu4");
        Call[] kinds = {
            () -> new Saliency().explain(m, x, Target.index(7), ExplainOptions.defaults()),
            () -> new GradCam().explain(m, x, Target.index(7), gradCam),
            () -> new Saliency().explain(m, dot, Target.TOP, ExplainOptions.defaults()),
            () -> new GradCam().explain(m, x, Target.TOP, ExplainOptions.defaults().with(Options.LAYER, "features.relu9")),
        };
        String[] names = {"saliency-class-7", "gradcam-class-7", "saliency-1x1-input", "gradcam-unknown-layer"};
        for (Call k : kinds) {
            failing(200, k); // warm-up: allocator pools, JIT, libtorch caches
        }
        System.gc();
        long start = rssKb();
        for (int k = 0; k < kinds.length; k++) {
            long before = rssKb();
            failing(1000, kinds[k]);
            System.gc();
            System.out.println("RSS " + names[k] + " " + before + " " + rssKb());
        }
        System.out.println("RSS total " + start + " " + rssKb());
        cache.clear();
    }

    /**
     * A worker explains (Grad-CAM, whose channel weighting runs in libtorch after the passes) in a loop, asking the
     * cache for the model each time as a macro does, while the main thread replaces the file 40 times (the two
     * weight sets in turn, new time stamps) and asks the cache for it, which closes the model the worker may be
     * using. The first replacement comes while the worker holds the model it got first; every result must be one of
     * the two models' maps, or a refusal saying the model was closed.
     */
    private static void reload(Path model, Path work) throws Exception {
        Path file = work.resolve("model.pt");
        byte[] original = Files.readAllBytes(model);
        byte[] other = RobustModelFilesTest.sameSizeOtherWeights(original);
        Files.copy(model, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelCache cache = new ModelCache(work.resolve("cache"));
        ModelInput x = Fixtures.synthInput();
        ExplainOptions o = ExplainOptions.defaults().with(Options.LAYER, "features.relu4");
        float[] ref = new GradCam().explain(cache.get(file), x, Target.TOP, o).values();
        Path otherFile = Files.write(work.resolve("other.pt"), other);
        float[] otherRef = new GradCam().explain(cache.get(otherFile), x, Target.TOP, o).values();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread worker = new Thread(() -> {
            try {
                TorchScriptModel m = cache.get(file);
                while (!done.get()) {
                    try {
                        float[] v = new GradCam().explain(m, x, Target.TOP, o).values();
                        (Arrays.equals(v, ref) || Arrays.equals(v, otherRef) ? ok : wrong).incrementAndGet();
                    } catch (org.explainj.model.ModelException closed) {
                        if (!String.valueOf(closed.getMessage()).contains("was closed")) {
                            throw closed;
                        }
                        refused.incrementAndGet();
                    }
                    m = cache.get(file);
                }
            } catch (Throwable t) {
                error.set(t);
            }
        }, "explaining");
        worker.start();
        Thread.sleep(300);
        System.out.println("RELOAD replacing after " + ok.get() + " explanations");
        System.out.flush();
        int reloads = 0;
        long stamp = System.currentTimeMillis();
        for (int i = 0; i < 40 && worker.isAlive(); i++) {
            // replaced whole (written beside it, then renamed): a half-written file is another case, refused
            Path next = Files.write(work.resolve("next.pt"), i % 2 == 0 ? other : original);
            Files.setLastModifiedTime(next, FileTime.fromMillis(stamp += 5000));
            Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            cache.get(file); // closes the model the worker may be running
            reloads++;
            Thread.sleep(25 + (i * 7) % 30);
        }
        done.set(true);
        worker.join(20_000);
        Throwable t = error.get();
        System.out.println("RELOAD reloads: " + reloads);
        System.out.println("RELOAD worker: " + ok.get() + " same, " + wrong.get() + " different, " + refused.get()
                + " refused (model closed), stopped by " + (t == null ? "nothing" : t.getClass().getName() + ": "
                + String.valueOf(t.getMessage()).replace('\n', ' ')));
        cache.clear();
    }
}
