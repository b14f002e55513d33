package org.explainj.cli;

import org.explainj.explain.Options;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.explainj.ExplainJException;
import org.explainj.bench.CpuWatch;
import org.explainj.bench.Machine;
import org.explainj.bench.ProcStatus;
import org.explainj.bench.Report;
import org.explainj.bench.Row;
import org.explainj.bench.Stats;
import org.explainj.bench.Timer;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainers;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.explain.TargetScores;
import org.explainj.model.Engines;
import org.explainj.model.GradScope;
import org.explainj.model.ModelCache;
import org.explainj.model.ModuleTree;
import org.explainj.model.TorchScriptArchive;
import org.explainj.model.Autograd;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * The speed benchmark ("Fast: close to the cost of the network itself"). In one JVM, for each model, on the same
 * input and thread count: the plain forward pass (the reference), the forward with autograd, every method of
 * {@link Method}, the ideal batched passes of the batched methods, the first-call costs (engine start, model load,
 * archive rewrite, cached load), a 100-image batch, and where the time goes beyond the network. With
 * {@code --memory}: resident memory after 10 and 1,000 Grad-CAM explanations and the peak, in a fresh JVM.
 *
 * <p>Usage: {@code Bench [--threads N] [--memory] [--out DIR] [--reps 10] [--warmup 3] [--slow-reps 3]
 * [--slow-warmup 1] [--models resnet18,unet] [--resnet FILE] [--command "how it was started"]} ({@code --models}
 * also knows {@code vol3d}, the 3-D demo CNN at 1×1×32×128×128; not in the default set). The thread count
 * is applied through {@code explainj.threads} before the engine starts, so run one JVM per thread count
 * ({@code bench/run.sh} runs 1 and 2 threads and the memory check). Results go to
 * {@code <out>/results-<N>t.md|csv} and {@code <out>/memory-<N>t.md|csv}.
 */
public final class Bench {

    /** Methods whose cost is many passes, batched; they get fewer repetitions and an ideal to compare with. */
    private static final Set<Method> BATCHED = EnumSet.of(Method.SMOOTH_GRAD, Method.INTEGRATED_GRADIENTS,
            Method.SCORE_CAM, Method.OCCLUSION);
    private static final Set<Method> BATCHED_BACKWARD = EnumSet.of(Method.SMOOTH_GRAD,
            Method.INTEGRATED_GRADIENTS);
    private static final Set<Method> CAM_TARGET = EnumSet.of(Method.GRAD_CAM, Method.GRAD_CAM_PLUS_PLUS,
            Method.HIRES_CAM, Method.XGRAD_CAM, Method.LAYER_CAM, Method.CAM);
    private static final Set<Method> GRADIENT_TARGET = EnumSet.of(Method.SALIENCY, Method.INPUT_X_GRADIENT,
            Method.GUIDED_BACKPROP, Method.DECONVNET);
    /** A single-image method whose first call takes longer than this gets the slow repetition counts. */
    private static final double SLOW_FIRST_CALL_MS = 1500;

    private static final String FIRST = "First-call costs";
    private static final String OVERHEAD = "Where the time goes (pieces of one explanation)";
    private static final String BATCHED_SECTION = "Batched methods vs their ideal batched passes";
    private static final String SWEEP = "Batch size: no-grad forward time per sample";
    private static final String REPEATED = "Repeated calls: 100 different images, Grad-CAM";

    /**
     * A benchmarked model: file, input size (depth 0 for a 2-D model, else the number of slices), explained layer,
     * occlusion window and stride (a square, or a cube for a 3-D model).
     */
    record ModelSpec(String key, String label, Path file, int channels, int depth, int height, int width,
                     String layer, int occWindow, int occStride) {

        /** The input shape as text: 1×C×H×W or 1×C×D×H×W. */
        String inputShape() {
            return "1×" + channels + "×" + (depth > 0 ? depth + "×" : "") + height + "×" + width;
        }
    }

    private int threads = -1;
    private boolean memory;
    private Path out = Path.of("bench");
    private int reps = 10;
    private int warmup = 3;
    private int slowReps = 3;
    private int slowWarmup = 1;
    private int idealWarmup = 0;
    private boolean sweep = true;
    private boolean sweepOnly;
    private boolean repeatedOnly;
    private String tag = "";
    private List<String> models = List.of("resnet18", "unet");
    private Path resnetFile;
    private String command;
    private int batchImages = 100;
    private int memoryIterations = 1000;
    private final Report report = new Report();
    private Path tmp;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        double jvmToMainMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.setProperty("java.awt.headless", "true");
        Bench b = new Bench();
        b.parse(args);
        if (b.threads > 0) {
            // Engines turns this into ai.djl.pytorch.num_threads when the engine starts (not later).
            System.setProperty("explainj.threads", Integer.toString(b.threads));
        }
        b.tmp = Files.createTempDirectory("explainj-bench");
        try {
            if (b.memory) {
                b.runMemory();
            } else {
                b.runSpeed(jvmToMainMs);
            }
        } finally {
            deleteTree(b.tmp);
        }
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--memory" -> memory = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--slow-reps" -> slowReps = Integer.parseInt(args[++i]);
                case "--slow-warmup" -> slowWarmup = Integer.parseInt(args[++i]);
                case "--ideal-warmup" -> idealWarmup = Integer.parseInt(args[++i]);
                case "--no-sweep" -> sweep = false;
                case "--sweep-only" -> sweepOnly = true;
                case "--repeated-only" -> repeatedOnly = true;
                case "--tag" -> tag = "-" + args[++i];
                case "--models" -> models = List.of(args[++i].split(","));
                case "--resnet" -> resnetFile = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                case "--batch-images" -> batchImages = Integer.parseInt(args[++i]);
                case "--memory-iterations" -> memoryIterations = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("Bench [--threads N] [--memory] [--out DIR] [--reps 10] [--warmup 3] "
                            + "[--slow-reps 3] [--slow-warmup 1] [--ideal-warmup 0] [--no-sweep] [--models resnet18,unet] "
                            + "(models: resnet18, unet, vol3d = the 3-D CNN at 1x1x32x128x128; default resnet18,unet) [--resnet FILE] "
                            + "[--batch-images 100] [--memory-iterations 1000] [--sweep-only] [--repeated-only] [--tag NAME] [--command TEXT]");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("Unknown option " + a + " (see --help)");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // models and inputs

    private ModelSpec spec(String key) {
        switch (key) {
            case "resnet18": {
                Path shared = resnetFile != null ? resnetFile : sharedResnet();
                if (shared != null && Files.isRegularFile(shared)) {
                    return new ModelSpec(key, "ResNet-18 (" + shared.getFileName() + ", torchvision, 47 MB)",
                            shared, 3, 0, 224, 224, "layer4", 56, 28);
                }
                return new ModelSpec(key, "ResNet-18 width 16 (resnet18n_traced.pt; resnet18.pt not found)",
                        Path.of("src/test/resources/models/resnet18n_traced.pt"), 3, 0, 224, 224, "layer4", 56, 28);
            }
            case "unet":
                return new ModelSpec(key, "U-Net (unet_traced.pt)", Path.of("src/test/resources/models/unet_traced.pt"),
                        1, 0, 512, 512, "dec1", 128, 64);
            case "vol3d":
                // the 3-D demo classifier (Conv3d, global average pooling head) at a microscopy z-stack size;
                // occlusion cube 32 / stride 16: 1 × 7 × 7 = 49 windows, each 1/16 of the volume, as for the 2-D models
                return new ModelSpec(key, "3-D CNN (vol3d.pt)", Path.of("test-images/demo3d/vol3d.pt"),
                        1, 32, 128, 128, "features", 32, 16);
            default:
                throw new IllegalArgumentException("Unknown model " + key + "; use resnet18, unet or vol3d");
        }
    }

    /** {@code shared/reference/models/resnet18.pt} in this folder, a parent, or a parent's sibling. */
    private static Path sharedResnet() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            for (Path ref : new Path[] {p.resolve("shared").resolve("reference"),
                    p.resolveSibling("shared").resolve("reference")}) {
                Path f = ref.resolve("models").resolve("resnet18.pt");
                if (Files.isRegularFile(f)) {
                    return f;
                }
            }
        }
        return null;
    }

    /** A random input, uniform in [0, 1). */
    private static ModelInput randomInput(ModelSpec s, long seed) {
        Random r = new Random(seed);
        float[] d = new float[s.channels() * Math.max(s.depth(), 1) * s.height() * s.width()];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextFloat();
        }
        return new ModelInput(d, s.channels(), s.depth(), s.height(), s.width());
    }

    private static ExplainOptions options(ModelSpec s, Method m) {
        ExplainOptions o = ExplainOptions.defaults().with(Options.LAYER, s.layer());
        return m == Method.OCCLUSION ? o.with(Options.WINDOW, s.occWindow()).with(Options.STRIDE, s.occStride())
                .with(Options.BASELINE, 0.0) : o;
    }

    // ---------------------------------------------------------------------------------------------------------
    // speed

    private void runSpeed(double jvmToMainMs) throws Exception {
        waitQuiet(300);
        CpuWatch whole = CpuWatch.start();
        double load0 = CpuWatch.loadAverage();
        log("JVM start to main: " + fmt(jvmToMainMs) + " ms; load average " + load0);
        report.add(new Row(FIRST, "", "JVM start to main()")).stats(Stats.once(jvmToMainMs))
                .note("java launcher and class loading, before any ExplainJ code");
        double engineMs = Timer.once(Engines::pytorch);
        int actualThreads = JniUtils.getNumThreads();
        log("engine start: " + fmt(engineMs) + " ms, libtorch intra-op threads: " + actualThreads);
        report.add(new Row(FIRST, "", "engine start (Engines.pytorch(): DJL + libtorch native load)"))
                .stats(Stats.once(engineMs)).note("libtorch already unpacked in ~/.djl.ai (the very first start on "
                        + "a machine also unpacks ~450 MB, not measured)");
        header(actualThreads);
        Map<String, Double> gradCamMedian = new LinkedHashMap<>();
        for (String key : models) {
            ModelSpec s = spec(key);
            log("== " + s.label());
            ModelCache cache = firstCalls(s);
            try {
                TorchScriptModel model = cache.get(s.file());
                if (repeatedOnly) {
                    if (key.equals("resnet18")) {
                        try (NDManager root = model.newManager()) {
                            warmUpPhase(s, model, root, randomInput(s, 1));
                        }
                        repeatedCalls(s, model, Double.NaN);
                    }
                    continue;
                }
                double gc = steadyState(s, model);
                gradCamMedian.put(key, gc);
                if (key.equals("resnet18") && !sweepOnly) {
                    repeatedCalls(s, model, gc);
                }
            } finally {
                cache.clear();
            }
        }
        report.sectionOrder(FIRST, "Steady state", BATCHED_SECTION, REPEATED, OVERHEAD, SWEEP);
        report.sectionNote(SWEEP, "The same input repeated n times, one no-grad forward; × forward = time per "
                + "sample / the single-image forward. Values above 1 mean a batch costs more per sample than "
                + "single images (memory traffic, page faults for large activations).");
        report.sectionNote(FIRST, "In this order, in a fresh JVM; the \"JVM warm\" loads 3 times each (median). \"Fresh cache\" = `new "
                + "ModelCache(emptyTempDir).get(file)`: SHA-256 of the file, zip read, module tree, tap rewrite, write "
                + "of the prepared copy, libtorch load. The rewrite alone is the fresh-cache load minus the load from "
                + "an existing prepared copy, both with the JVM warm. The first calls after the load include "
                + "libtorch's one-time work (graph executor profiling and optimisation, allocator growth).");
        report.sectionNote(BATCHED_SECTION, "Ideal = the same number of samples through the network in the same "
                + "batches (batch_size as the method chose it) with nothing else: the batch tensors are made beforehand; "
                + "SmoothGrad / Integrated Gradients: forward with autograd + backward to the input per batch; "
                + "Score-CAM / Occlusion: no-grad forward per batch. Measured per batch size (median) and summed. "
                + "The methods also run one clean forward (Integrated Gradients two), included in their time. The ideal "
                + "parts run right after the method, whose warm-up and repetitions used the same batch shapes, so "
                + "they get " + idealWarmup + " further warm-ups and " + slowReps + " repetitions.");
        report.sectionNote(OVERHEAD, "Raw NDArray work (no float[] copies, no Java loops) timed with the same model, "
                + "input and threads, to split a method's time into network and the rest.");
        double foreign = whole.foreignShare();
        report.header(String.format(Locale.ROOT, "\nOther processes on the machine used %.1f %% of its CPU during "
                + "this run (1-minute load average %.2f at the start, %.2f at the end); rows where they used more "
                + "than %.0f %% are flagged ⚠.", 100 * foreign, load0, CpuWatch.loadAverage(),
                100 * Report.FOREIGN_CPU_FLAG));
        log(String.format(Locale.ROOT, "other processes used %.1f %% CPU", 100 * foreign));
        String suffix = actualThreads + "t" + tag;
        report.writeMarkdown(out.resolve("results-" + suffix + ".md"), "ExplainJ speed benchmark, "
                + actualThreads + " thread" + (actualThreads == 1 ? "" : "s"));
        report.writeCsv(out.resolve("results-" + suffix + ".csv"), Integer.toString(actualThreads));
        log("wrote " + out.resolve("results-" + suffix + ".md"));
    }

    private void header(int actualThreads) {
        String cmd = command != null ? command : "(not given; see the JVM command line below)";
        report.header("Command: `" + cmd + "`\n");
        report.header("JVM command line: `java " + String.join(" ",
                ManagementFactory.getRuntimeMXBean().getInputArguments()) + " -cp <classes + runtime dependencies> "
                + "org.explainj.cli.Bench ...`\n");
        report.header("Machine: nproc " + Machine.nproc() + ", CPU \"" + Machine.cpuModel() + "\", RAM "
                + memTotal() + "; " + System.getProperty("os.name") + " " + System.getProperty("os.version") + "\n");
        report.header("```\n$ java -version\n" + Machine.javaVersion() + "\n```\n");
        report.header("libtorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion() + " CPU via DJL "
                + ai.djl.engine.Engine.getDjlVersion() + "; intra-op threads " + actualThreads
                + " (explainj.threads=" + System.getProperty("explainj.threads", "unset") + "), inter-op threads "
                + JniUtils.getNumInteropThreads() + "; ai.djl.pytorch.graph_optimizer="
                + System.getProperty("ai.djl.pytorch.graph_optimizer", "true (DJL default, as in Fiji)") + ".\n");
        report.header("Code: git " + Machine.gitState() + "; date " + java.time.ZonedDateTime.now()
                .withNano(0) + ".\n");
        report.header("Inputs: uniform random in [0, 1) (fixed seed), batch 1. Timings are wall clock "
                + "(System.nanoTime) of the whole call; median of the repetitions after the warm-ups. Single-image "
                + "methods: " + warmup + " warm-ups + " + reps + " repetitions (the reference forward: " + warmup + " + "
                + 2 * reps + ", after a " + WARM_UP_PHASE_MS / 1000 + " s warm-up phase per model); batched methods (SmoothGrad n=25, "
                + "Integrated Gradients 50 steps, Score-CAM, Occlusion) and single-image methods whose first call "
                + "takes more than " + (int) SLOW_FIRST_CALL_MS + " ms: " + slowWarmup + " warm-up + " + slowReps
                + " repetitions. × forward = median / median of the plain no-grad forward.");
    }

    private static String memTotal() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(l.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.1f GB", kb / 1048576.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }

    /** Loads the model several ways, timing each; returns the cache that holds the model used afterwards. */
    private ModelCache firstCalls(ModelSpec s) throws Exception {
        String m = s.key();
        Path dirA = tmp.resolve(m + "-a");
        ModelCache fresh = new ModelCache(dirA);
        double cold = Timer.once(() -> fresh.get(s.file()));
        report.add(new Row(FIRST, m, "model load, fresh cache (first load in this JVM)")).stats(Stats.once(cold))
                .note("rewrites: " + fresh.rewrites() + "; file " + s.file().getFileName() + " (" + Files.size(s.file()) / 1024
                        + " KB)");
        ModelCache fromDisk = new ModelCache(dirA);
        double disk = Timer.once(() -> fromDisk.get(s.file()));
        double diskFirst = disk;
        report.add(new Row(FIRST, m, "model load, prepared copy already on disk")).stats(Stats.once(diskFirst))
                .note("rewrites: " + fromDisk.rewrites() + " (new ModelCache on the same folder)");
        // with the JVM warm: loads from a fresh folder and from the prepared copy, alternately, 3 times each
        long[] coldNs = new long[3];
        long[] diskNs = new long[3];
        for (int i = 0; i < 3; i++) {
            ModelCache c1 = new ModelCache(tmp.resolve(m + "-b" + i));
            coldNs[i] = (long) (1e6 * Timer.once(() -> c1.get(s.file())));
            c1.clear();
            ModelCache c2 = new ModelCache(dirA);
            diskNs[i] = (long) (1e6 * Timer.once(() -> c2.get(s.file())));
            c2.clear();
        }
        Stats coldWarm = Stats.of(0, coldNs[0] / 1e6, coldNs);
        Stats diskWarm = Stats.of(0, diskNs[0] / 1e6, diskNs);
        double cold2 = coldWarm.medianMs();
        report.add(new Row(FIRST, m, "model load, fresh cache (JVM warm)")).stats(coldWarm)
                .note("hash + read + rewrite + write + libtorch load");
        report.add(new Row(FIRST, m, "model load, prepared copy on disk (JVM warm)")).stats(diskWarm)
                .note("hash + read + libtorch load");
        report.add(new Row(FIRST, m, "archive rewrite + write of the prepared copy"))
                .stats(Stats.derived(cold2 - diskWarm.medianMs()))
                .note("= median fresh-cache load − median load from the prepared copy (JVM warm)");
        disk = diskWarm.medianMs();
        TorchScriptModel first = fromDisk.get(s.file());
        int loads = fromDisk.loads();
        double again = Timer.once(() -> fromDisk.get(s.file()));
        boolean same = fromDisk.get(s.file()) == first && fromDisk.loads() == loads;
        report.add(new Row(FIRST, m, "second load of the same file (cached)")).stats(Stats.once(again))
                .note(same ? "same instance, no reload (size + mtime check)" : "RELOADED: cache miss");
        // parts of the load that are public API, timed once with the JVM warm
        double sha = Timer.once(() -> ModelCache.sha256(s.file()));
        double read = Timer.once(() -> TorchScriptArchive.read(s.file()));
        TorchScriptArchive archive = TorchScriptArchive.read(s.file());
        double tree = Timer.once(() -> ModuleTree.of(archive));
        report.add(new Row(FIRST, m, "  of which: SHA-256 of the file")).stats(Stats.once(sha));
        report.add(new Row(FIRST, m, "  of which: zip read (TorchScriptArchive.read)")).stats(Stats.once(read));
        report.add(new Row(FIRST, m, "  of which: module tree (ModuleTree.of)")).stats(Stats.once(tree));
        fresh.clear();

        ModelInput in = randomInput(s, 1);
        TorchScriptModel model = first;
        double f1 = Timer.once(() -> {
            try (NDManager mm = model.newManager()) {
                model.forwardNoGrad(mm.create(in.data(), new Shape(in.shape())));
            }
        });
        report.add(new Row(FIRST, m, "first plain forward (no grad) after the load")).stats(Stats.once(f1));
        double f2 = Timer.once(() -> {
            try (NDManager mm = model.newManager(); GradScope g = GradScope.open()) {
                NDArray x = mm.create(in.data(), new Shape(in.shape()));
                x.setRequiresGradient(true);
                model.run(x, null, false);
            }
        });
        report.add(new Row(FIRST, m, "first forward with autograd (ej_explain path)")).stats(Stats.once(f2));
        double f3 = Timer.once(() -> Explainers.of(Method.GRAD_CAM).explain(model, in, Target.TOP,
                options(s, Method.GRAD_CAM)));
        report.add(new Row(FIRST, m, "first Grad-CAM (layer " + s.layer() + ")")).stats(Stats.once(f3))
                .note("after the two forwards above");
        log("load cold " + fmt(cold) + " ms, from disk " + fmt(disk) + " ms, rewrite " + fmt(cold2 - disk)
                + " ms, cached " + fmt(again) + " ms; first forward " + fmt(f1) + ", grad " + fmt(f2)
                + ", Grad-CAM " + fmt(f3));
        return fromDisk;
    }

    /** The target class of an input, as an explanation with target top picks it. */
    private static int topClass(TorchScriptModel model, ModelInput in) {
        try (NDManager m = model.newManager()) {
            NDArray o = model.forwardNoGrad(m.create(in.data(), new Shape(in.shape())));
            return Target.TOP.resolve(TargetScores.classScores(o, Target.TOP), java.util.List.of());
        }
    }

    /** The summed target score of a batch output, as the methods compute it. */
    private static NDArray score(NDArray out, int c) {
        return TargetScores.batchSum(out, Target.TOP, c);
    }

    /** One repetition that works in its own sub-manager on a fresh copy of the input (copy not timed). */
    private abstract static class OnInput implements Timer.Work {
        final NDManager parent;
        final float[] data;
        final Shape shape;
        final boolean grad;
        NDManager sub;
        NDArray x;

        OnInput(NDManager parent, float[] data, Shape shape, boolean grad) {
            this.parent = parent;
            this.data = data;
            this.shape = shape;
            this.grad = grad;
        }

        @Override
        public void prepare() {
            sub = parent.newSubManager();
            x = sub.create(data, shape);
            if (grad) {
                x.setRequiresGradient(true);
            }
        }

        @Override
        public void cleanup() {
            sub.close();
        }
    }

    /** Returns the Grad-CAM median (ms). */
    private double steadyState(ModelSpec s, TorchScriptModel model) {
        String m = s.key();
        String section = "Steady state: " + s.label() + ", input " + s.inputShape() + ", layer " + s.layer();
        report.sectionNote(section, "The first four rows are the network alone (raw NDArray calls, no copies to "
                + "Java, no Java loops); the rest are whole explanations through Explainers.of(method).explain(model, "
                + "input, Target.TOP, ExplainOptions.defaults().with(Options.LAYER, \"" + s.layer() + "\")"
                + (" with window " + s.occWindow() + ", stride " + s.occStride() + " for Occlusion") + "). 1st call = "
                + "the first warm-up. Peak RSS = VmHWM of the whole JVM while the method ran (reset before).");
        ModelInput in = randomInput(s, 1);
        int c = topClass(model, in);
        Shape shape = new Shape(in.shape());
        NDManager root = model.newManager();
        try {
            double warmMs = warmUpPhase(s, model, root, in);
            Timer.Work plainForward = new OnInput(root, in.data(), shape, false) {
                @Override
                public void run() {
                    model.forwardNoGrad(x);
                }
            };
            Stats fwd = timed(warmup, 2 * reps, plainForward);
            double f = fwd.medianMs();
            log("forward no grad: " + fmt(f) + " ms");
            report.add(new Row(section, m, "forward, no grad (forwardNoGrad): the reference")).stats(fwd)
                    .note("output class " + c + "; measured after a " + fmt(warmMs / 1000) + " s warm-up phase "
                            + "(forward, Grad-CAM, Saliency calls) that lets the JVM compile its hot code")
                    .xForward = 1.0;
            if (sweepOnly) {
                batchSweep(s, model, root, in, f);
                return Double.NaN;
            }
            Stats fwdGrad = timed(warmup, reps, new OnInput(root, in.data(), shape, true) {
                @Override
                public void run() {
                    try (GradScope g = GradScope.open()) {
                        model.run(x, null, false);
                    }
                }
            });
            report.add(new Row(section, m, "forward with autograd (run(x, null, false) in a GradScope)"))
                    .stats(fwdGrad).note("input requires grad: the graph is recorded").xForward = fwdGrad.medianMs() / f;
            Stats fb = timed(warmup, reps, new OnInput(root, in.data(), shape, true) {
                @Override
                public void run() {
                    try (GradScope g = GradScope.open()) {
                        NDArray o = model.forward(x, null);
                        NDArray sc = score(o, c);
                        Autograd.backward(sc, sub.ones(sc.getShape()), false);
                    }
                }
            });
            report.add(new Row(section, m, "forward + backward to the input (raw; ideal of Saliency)")).stats(fb)
                    .xForward = fb.medianMs() / f;
            long[][] tapShape = new long[1][];
            Stats fbl = timed(warmup, reps, new OnInput(root, in.data(), shape, false) {
                @Override
                public void run() {
                    try (GradScope g = GradScope.open()) {
                        TorchScriptModel.Tapped outs = model.run(x, s.layer(), false);
                        NDArray sc = score(outs.output(), c);
                        Autograd.backward(sc, sub.ones(sc.getShape()), false);
                        tapShape[0] = lastValue(outs).getShape().getShape();
                    }
                }
            });
            report.add(new Row(section, m, "forward + backward to " + s.layer() + " (raw; ideal of Grad-CAM)"))
                    .stats(fbl).note("activation " + new Shape(tapShape[0])).xForward = fbl.medianMs() / f;
            long[] layerShape = tapShape[0];
            log("forward grad " + fmt(fwdGrad.medianMs()) + ", F+B input " + fmt(fb.medianMs()) + ", F+B layer "
                    + fmt(fbl.medianMs()));
            overheads(s, model, root, in, c, f);
            if (sweep) {
                batchSweep(s, model, root, in, f);
            }

            double gradCam = Double.NaN;
            for (Method meth : Method.values()) {
                ExplainOptions opts = options(s, meth);
                boolean batched = BATCHED.contains(meth);
                Row row = report.add(new Row(section, m, meth.label()));
                Attribution[] last = new Attribution[1];
                Timer.Simple body = () -> last[0] = Explainers.of(meth).explain(model, in, Target.TOP, opts);
                Stats st;
                boolean peakReset = ProcStatus.resetPeak();
                try {
                    if (batched) {
                        st = timed(slowWarmup, slowReps, body::run);
                    } else {
                        double first = Timer.once(body);
                        if (first > SLOW_FIRST_CALL_MS) {
                            Stats rest = timed(Math.max(0, slowWarmup - 1), slowReps, body::run);
                            st = rest.withFirst(Math.max(1, slowWarmup), first);
                        } else {
                            Stats rest = timed(Math.max(0, warmup - 1), reps, body::run);
                            st = rest.withFirst(Math.max(1, warmup), first);
                        }
                    }
                } catch (ExplainJException e) {
                    row.note("refused: " + firstSentence(e.getMessage()));
                    row.status = "n/a";
                    log(meth.label() + ": refused: " + e.getMessage());
                    continue;
                }
                row.stats(st);
                row.xForward = st.medianMs() / f;
                String detail = detail(meth, last[0], layerShape);
                if (peakReset) {
                    detail = (detail.isEmpty() ? "" : detail + "; ") + String.format(Locale.ROOT,
                            "peak RSS %.0f MB", ProcStatus.peakMb());
                }
                row.note(detail);
                if (meth == Method.GRAD_CAM) {
                    gradCam = st.medianMs();
                }
                if (CAM_TARGET.contains(meth)) {
                    row.targetRatio(row.xForward, 1.3, "forward");
                } else if (GRADIENT_TARGET.contains(meth)) {
                    row.targetRatio(row.xForward, 3.0, "forward");
                } else if (meth == Method.GUIDED_GRAD_CAM) {
                    row.targetRatio(row.xForward, 3.3, "forward");
                } else if (batched) {
                    row.target = "≤ 1.20× ideal (see below)";
                }
                log(String.format(Locale.ROOT, "%-22s median %9s ms  %6s  %s", meth.label(), fmt(st.medianMs()),
                        Row.verdict(row.xForward, 1e9).equals("met") ? fmt(row.xForward) + "x" : "", row.status));
                if (batched) {
                    ideal(s, model, root, in, c, meth, st, last[0], layerShape, f, fb.medianMs());
                }
            }
            Stats again = timed(warmup, reps, plainForward);
            Row check = report.add(new Row(section, m, "forward, no grad, measured again after all methods")).stats(again)
                    .note("drift check only; the ratios use the reference above");
            check.xForward = again.medianMs() / f;
            log("forward no grad again: " + fmt(again.medianMs()) + " ms");
            return gradCam;
        } finally {
            root.close();
        }
    }

    /**
     * Before the first measurement of a model: forward, Grad-CAM and Saliency calls for {@link #WARM_UP_PHASE_MS}, so
     * that the JVM's compiler threads are done with the hot code (on 2 cores they otherwise compete with libtorch's
     * threads during the first measurements). Returns its duration.
     */
    private double warmUpPhase(ModelSpec s, TorchScriptModel model, NDManager root, ModelInput in) {
        long t0 = System.nanoTime();
        ExplainOptions opts = options(s, Method.GRAD_CAM);
        int calls = 0;
        while (calls < 6 || System.nanoTime() - t0 < WARM_UP_PHASE_MS * 1_000_000L) {
            try (NDManager sub = root.newSubManager()) {
                model.forwardNoGrad(sub.create(in.data(), new Shape(in.shape())));
            }
            Explainers.of(Method.GRAD_CAM).explain(model, in, Target.TOP, opts);
            Explainers.of(Method.SALIENCY).explain(model, in, Target.TOP, opts);
            calls++;
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        log("warm-up phase: " + calls + " rounds in " + fmt(ms) + " ms");
        return ms;
    }

    private static final long WARM_UP_PHASE_MS = 4000;

    /** Other processes may use at most this share of the CPU during a measurement; else it is repeated. */
    private static final double RETRY_SHARE = 0.08;

    /**
     * {@link Timer#time} that repeats a measurement (once for slow ones, twice otherwise) when other processes used
     * more than {@link #RETRY_SHARE} of the CPU meanwhile, after waiting for the machine to be quiet; keeps the
     * least disturbed one.
     */
    private Stats timed(int warmups, int repetitions, Timer.Work work) {
        Stats s = Timer.time(warmups, repetitions, work);
        int retries = s.meanMs() * (warmups + repetitions) > 20000 ? 1 : 2;
        for (int i = 0; i < retries && s.foreignCpu() > RETRY_SHARE; i++) {
            log(String.format(Locale.ROOT, "other processes used %.0f %% CPU: measuring again", 100 * s.foreignCpu()));
            waitQuiet(90);
            Stats again = Timer.time(warmups, repetitions, work);
            if (!(again.foreignCpu() >= s.foreignCpu())) {
                s = again;
            }
        }
        return s;
    }

    /** Waits (at most {@code maxSeconds}) until other processes use less than 5 % of the CPU over 2 s. */
    static void waitQuiet(int maxSeconds) {
        long end = System.nanoTime() + maxSeconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            CpuWatch w = CpuWatch.start();
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            double share = w.foreignShare();
            if (!(share > 0.05)) {
                return;
            }
            log(String.format(Locale.ROOT, "waiting: other processes use %.0f %% CPU", 100 * share));
        }
    }

    private static String detail(Method meth, Attribution a, long[] layerShape) {
        if (a == null) {
            return "";
        }
        return switch (meth) {
            case SCORE_CAM -> "K = " + layerShape[1] + " masked forwards";
            case OCCLUSION -> String.format(Locale.ROOT, "%.0f windows", a.diagnostics().get("windows"));
            case SMOOTH_GRAD -> String.format(Locale.ROOT, "n = %.0f", a.diagnostics().get("samples"));
            case INTEGRATED_GRADIENTS -> String.format(Locale.ROOT, "%.0f steps", a.diagnostics().get("steps"));
            default -> "";
        };
    }

    /** Measures the ideal batched passes for a batched method and adds the comparison row. */
    private void ideal(ModelSpec s, TorchScriptModel model, NDManager root, ModelInput in, int c, Method meth,
                       Stats method, Attribution a, long[] layerShape, double fwdMs, double fbMs) {
        double singleMs = BATCHED_BACKWARD.contains(meth) ? fbMs : fwdMs;
        ExplainOptions opts = options(s, meth);
        int count;
        boolean backward;
        String what;
        switch (meth) {
            case SMOOTH_GRAD -> {
                count = opts.get(Options.SAMPLES);
                backward = true;
                what = count + " samples, forward with autograd + backward to the input";
            }
            case INTEGRATED_GRADIENTS -> {
                count = opts.get(Options.STEPS);
                backward = true;
                what = count + " steps, forward with autograd + backward to the input";
            }
            case SCORE_CAM -> {
                count = (int) layerShape[1];
                backward = false;
                what = count + " masked inputs, no-grad forward";
            }
            default -> {
                count = (int) Math.round(a.diagnostics().get("windows"));
                backward = false;
                what = count + " occluded inputs (window " + s.occWindow() + ", stride " + s.occStride()
                        + "), no-grad forward";
            }
        }
        int bs = org.explainj.explain.MemoryGuard.batchSize(model, in, opts);
        Map<Integer, Integer> batches = new LinkedHashMap<>();
        for (int start = 0; start < count; start += bs) {
            batches.merge(Math.min(bs, count - start), 1, Integer::sum);
        }
        double total = 0;
        List<String> parts = new ArrayList<>();
        int sample = in.data().length;
        for (Map.Entry<Integer, Integer> e : batches.entrySet()) {
            int n = e.getKey();
            float[] batch = new float[n * sample];
            Random r = new Random(n);
            for (int b = 0; b < n; b++) {
                for (int i = 0; i < sample; i++) {
                    batch[b * sample + i] = in.data()[i] + 0.1f * (float) r.nextGaussian();
                }
            }
            Shape shape = new Shape(in.grid().tensorShape(n, in.channels()));
            boolean peakReset = ProcStatus.resetPeak();
            Stats st = timed(idealWarmup, slowReps, new OnInput(root, batch, shape, backward) {
                @Override
                public void run() {
                    if (backward) {
                        try (GradScope g = GradScope.open()) {
                            NDArray o = model.forward(x, null);
                            NDArray sc = score(o, c);
                            Autograd.backward(sc, sub.ones(sc.getShape()), false);
                        }
                    } else {
                        model.forwardNoGrad(x);
                    }
                }
            });
            report.add(new Row(BATCHED_SECTION, s.key(), "  ideal part: one batch of " + n
                    + (backward ? " (forward + backward)" : " (no-grad forward)"))).stats(st)
                    .note(String.format(Locale.ROOT, "%.2f ms per sample = %.2f× the single-image forward",
                            st.medianMs() / n, st.medianMs() / n / fwdMs)
                            + (peakReset ? String.format(Locale.ROOT, "; peak RSS %.0f MB", ProcStatus.peakMb()) : ""));
            total += e.getValue() * st.medianMs();
            parts.add(e.getValue() + " × " + fmt(st.medianMs()));
        }
        Row row = report.add(new Row(BATCHED_SECTION, s.key(), meth.label())).stats(method);
        row.idealMs = total;
        row.xIdeal = method.medianMs() / total;
        row.xForward = method.medianMs() / fwdMs;
        row.targetRatio(row.xIdeal, 1.2, "ideal");
        row.note("ideal = " + what + " in batches of " + bs + ": " + String.join(" + ", parts) + " ms; "
                + String.format(Locale.ROOT, "the same %d samples one at a time would take %s ms (%d × the "
                        + "single-image %s)", count, fmt(count * singleMs), count, backward ? "forward + backward"
                        : "no-grad forward"));
        log(meth.label() + " ideal " + fmt(total) + " ms -> " + fmt(row.xIdeal) + "x");
    }

    /** The no-grad forward's time per sample for several batch sizes (what batching gains or loses). */
    private void batchSweep(ModelSpec s, TorchScriptModel model, NDManager root, ModelInput in, double fwd) {
        int sample = in.data().length;
        for (int n : new int[] {1, 8, 32}) {
            float[] batch = new float[n * sample];
            for (int b = 0; b < n; b++) {
                System.arraycopy(in.data(), 0, batch, b * sample, sample);
            }
            Shape shape = new Shape(in.grid().tensorShape(n, in.channels()));
            Stats st = timed(1, n >= 16 ? 2 : 3, new OnInput(root, batch, shape, false) {
                @Override
                public void run() {
                    model.forwardNoGrad(x);
                }
            });
            Row r = report.add(new Row(SWEEP, s.key(), "no-grad forward, batch of " + n)).stats(st);
            r.xForward = st.medianMs() / n / fwd;
            r.note(String.format(Locale.ROOT, "%.2f ms per sample; × forward is per sample", st.medianMs() / n));
            log("sweep batch " + n + ": " + fmt(st.medianMs() / n) + " ms per sample");
        }
    }

    /** Times the pieces of an explanation that are not the network: copies across JNI and small native calls. */
    private void overheads(ModelSpec s, TorchScriptModel model, NDManager root, ModelInput in, int c, double fwd) {
        String m = s.key();
        Shape shape = new Shape(in.shape());
        Stats copyIn = timed(warmup, Math.max(reps, 20), () -> {
            try (NDManager sub = root.newSubManager()) {
                sub.create(in.data(), shape);
            }
        });
        report.add(new Row(OVERHEAD, m, "input float[] → NDArray (manager.create, " + in.data().length
                + " floats)")).stats(copyIn).xForward = copyIn.medianMs() / fwd;
        // layer activation + gradient to float[] (what LayerPass does after the backward)
        NDArray[] tap = new NDArray[1];
        long[] tapSize = new long[1];
        Stats copyLayer = timed(warmup, Math.max(reps, 20), new OnInput(root, in.data(), shape, false) {
            @Override
            public void prepare() {
                super.prepare();
                try (GradScope g = GradScope.open()) {
                    TorchScriptModel.Tapped outs = model.run(x, s.layer(), false);
                    NDArray sc = score(outs.output(), c);
                    Autograd.backward(sc, sub.ones(sc.getShape()), false);
                    tap[0] = lastValue(outs);
                    tapSize[0] = tap[0].size();
                }
            }

            @Override
            public void run() {
                tap[0].toFloatArray();
                tap[0].getGradient().toFloatArray();
            }
        });
        report.add(new Row(OVERHEAD, m, "layer A and dY/dA → float[] (2 × toFloatArray, " + tapSize[0]
                + " floats each)")).stats(copyLayer).xForward = copyLayer.medianMs() / fwd;
        NDArray[] xin = new NDArray[1];
        Stats copyGrad = timed(warmup, Math.max(reps, 20), new OnInput(root, in.data(), shape, true) {
            @Override
            public void prepare() {
                super.prepare();
                try (GradScope g = GradScope.open()) {
                    NDArray o = model.forward(x, null);
                    NDArray sc = score(o, c);
                    Autograd.backward(sc, sub.ones(sc.getShape()), false);
                }
                xin[0] = x;
            }

            @Override
            public void run() {
                xin[0].getGradient().toFloatArray();
            }
        });
        report.add(new Row(OVERHEAD, m, "input gradient → float[] (toFloatArray, " + in.data().length
                + " floats)")).stats(copyGrad).xForward = copyGrad.medianMs() / fwd;
        // the class scores: what ModelPass does after the forward (index, toFloatArray)
        Stats small = timed(warmup, Math.max(reps, 20), () -> {
            try (NDManager sub = root.newSubManager(); GradScope g = GradScope.open()) {
                NDArray ctl = sub.create(new long[] {-1, 0});
                NDArray marker = sub.create(0f);
                marker.setName("x");
                NDArray ones = sub.ones(new Shape());
                ctl.toLongArray();
                ones.toFloatArray();
            }
        });
        // the CAM map at the layer's size, resampled to the input's (not part of explain(): what a caller pays for a
        // heatmap at input size; single-threaded Java, bilinear for planes, trilinear for volumes)
        Attribution cam = Explainers.of(Method.GRAD_CAM).explain(model, in, Target.TOP, options(s, Method.GRAD_CAM));
        Stats upsample = timed(warmup, Math.max(reps, 20), () -> cam.valuesAt(in.grid()));
        report.add(new Row(OVERHEAD, m, "Grad-CAM map " + cam.grid() + " → input " + in.grid() + " ("
                + (in.grid().isVolume() ? "tri" : "bi") + "linear, Attribution.valuesAt)")).stats(upsample)
                .note("not part of explain(): the caller's resampling to a heatmap at input size (Java, one thread)")
                .xForward = upsample.medianMs() / fwd;
        report.add(new Row(OVERHEAD, m, "small native calls: sub-manager, 3 tiny arrays, 2 reads, close"))
                .stats(small).note("per-call bookkeeping of one explanation (ModelPass makes ~5–10 such)")
                .xForward = small.medianMs() / fwd;
        // the staged ReLU forward (Guided Backprop / Deconvnet): forward with every ReLU cut
        Stats staged = timed(warmup, reps, new OnInput(root, in.data(), shape, true) {
            @Override
            public void run() {
                try (GradScope g = GradScope.open()) {
                    model.run(x, null, true);
                }
            }
        });
        report.add(new Row(OVERHEAD, m, "forward with autograd and every ReLU cut (ReLU-stage mode, no backward)"))
                .stats(staged).xForward = staged.medianMs() / fwd;
        // eval vs. graph executor: plain forward through run() without grad recording
        Stats fwdRun = timed(warmup, reps, new OnInput(root, in.data(), shape, false) {
            @Override
            public void run() {
                try (GradScope g = GradScope.open()) {
                    model.run(x, null, false);
                }
            }
        });
        report.add(new Row(OVERHEAD, m, "forward through ej_explain, autograd on, input not requiring grad"))
                .stats(fwdRun).note("no graph is recorded (parameters are frozen)").xForward = fwdRun.medianMs() / fwd;
        log("copies: in " + fmt(copyIn.medianMs()) + ", layer " + fmt(copyLayer.medianMs()) + ", grad "
                + fmt(copyGrad.medianMs()) + ", upsample " + fmt(upsample.medianMs()) + ", small " + fmt(small.medianMs()) + ", staged fwd "
                + fmt(staged.medianMs()));
    }

    private void repeatedCalls(ModelSpec s, TorchScriptModel model, double methodTableMedian) {
        List<ModelInput> inputs = new ArrayList<>();
        for (int i = 0; i < batchImages; i++) {
            inputs.add(randomInput(s, 1000 + i));
        }
        ExplainOptions opts = options(s, Method.GRAD_CAM);
        // the single-image steady state right before the batch (the method table's figure is minutes older)
        ModelInput one = randomInput(s, 1);
        Stats single = timed(warmup, reps, () -> Explainers.of(Method.GRAD_CAM).explain(model, one, Target.TOP, opts));
        report.add(new Row(REPEATED, s.key(), "single image, steady state, measured right before the batch"))
                .stats(single).note(Double.isNaN(methodTableMedian) ? "" : String.format(Locale.ROOT,
                        "the method table above has %.2f ms", methodTableMedian));
        double singleMedian = single.medianMs();
        long[] nanos = new long[inputs.size()];
        CpuWatch watch = CpuWatch.start();
        long t0 = System.nanoTime();
        for (int i = 0; i < inputs.size(); i++) {
            long a = System.nanoTime();
            Explainers.of(Method.GRAD_CAM).explain(model, inputs.get(i), Target.TOP, opts);
            nanos[i] = System.nanoTime() - a;
        }
        double totalMs = (System.nanoTime() - t0) / 1e6;
        Stats per = Stats.of(0, nanos[0] / 1e6, nanos, watch.foreignShare());
        double perImage = totalMs / inputs.size();
        double overhead = perImage / singleMedian - 1;
        Row total = report.add(new Row(REPEATED, s.key(), inputs.size() + " images, total"))
                .stats(Stats.of(0, totalMs, new long[] {(long) (totalMs * 1e6)}, per.foreignCpu()));
        total.note("inputs made beforehand; same model, one call per image");
        Row row = report.add(new Row(REPEATED, s.key(), "per image (total / " + inputs.size() + ")")).stats(per);
        row.value = perImage;
        row.note(String.format(Locale.ROOT, "per image %.2f ms (mean) / %.2f ms (median) vs single-image steady "
                        + "state %.2f ms (median): overhead %+.1f %% (mean), %+.1f %% (median)", perImage,
                per.medianMs(), singleMedian, 100 * overhead, 100 * (per.medianMs() / singleMedian - 1)));
        row.target = "≤ +5 % per image";
        row.status = overhead <= 0.05 ? "met" : String.format(Locale.ROOT, "missed by %.1f points (%+.1f %%)",
                100 * (overhead - 0.05), 100 * overhead);
        report.sectionNote(REPEATED, "The 1st-call column is the first image of the batch; median and min–max are "
                + "over the " + inputs.size() + " calls. The overhead compares the mean time per image of the batch "
                + "with the single-image Grad-CAM median measured right before it (same input each time).");
        log("100 images: " + fmt(perImage) + " ms per image, overhead " + fmt(100 * overhead) + " %");
    }

    // ---------------------------------------------------------------------------------------------------------
    // memory

    private void runMemory() throws Exception {
        String section = "Memory: ResNet-18 Grad-CAM in a fresh JVM";
        waitQuiet(300);
        double rss0 = ProcStatus.rssMb();
        mem(section, "JVM started (before the engine)", rss0);
        Engines.pytorch();
        int actualThreads = JniUtils.getNumThreads();
        header(actualThreads);
        mem(section, "engine started (libtorch loaded)", ProcStatus.rssMb());
        ModelSpec s = spec("resnet18");
        ModelCache cache = new ModelCache(tmp.resolve("mem"));
        try {
            TorchScriptModel model = cache.get(s.file());
            mem(section, "model loaded (" + s.file().getFileName() + ")", ProcStatus.rssMb());
            ExplainOptions opts = options(s, Method.GRAD_CAM);
            Explainers.of(Method.GRAD_CAM).explain(model, randomInput(s, 0), Target.TOP, opts);
            double peak1 = ProcStatus.peakMb();
            mem(section, "after 1 Grad-CAM", ProcStatus.rssMb());
            Row p1 = report.add(new Row(section, "resnet18", "peak RSS (VmHWM) after the first Grad-CAM"))
                    .value(peak1, "MB");
            p1.target = "≤ 400 MB";
            p1.status = peak1 <= 400 ? "met" : String.format(Locale.ROOT, "missed by %.0f MB", peak1 - 400);
            double rss10 = Double.NaN;
            double outside10 = Double.NaN;
            CpuWatch watch = CpuWatch.start();
            long t0 = System.nanoTime();
            for (int i = 1; i < memoryIterations; i++) {
                Explainers.of(Method.GRAD_CAM).explain(model, randomInput(s, i), Target.TOP, opts);
                if (i + 1 == 10) {
                    rss10 = ProcStatus.rssMb();
                    outside10 = rss10 - ProcStatus.heapRssMb();
                    mem(section, "RSS(10): after 10 Grad-CAM", rss10);
                } else if (i + 1 == 100) {
                    mem(section, "after 100 Grad-CAM", ProcStatus.rssMb());
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double rss1000 = ProcStatus.rssMb();
            mem(section, "RSS(" + memoryIterations + "): after " + memoryIterations + " Grad-CAM", rss1000);
            Row growth = report.add(new Row(section, "resnet18", "RSS(" + memoryIterations + ") − RSS(10)"))
                    .value(rss1000 - rss10, "MB");
            growth.target = "≤ 50 MB";
            growth.status = rss1000 - rss10 <= 50 ? "met"
                    : String.format(Locale.ROOT, "missed by %.0f MB", rss1000 - rss10 - 50);
            growth.note(String.format(Locale.ROOT, "%d explanations (a new random input each) in %.1f s "
                    + "(%.1f ms each; other processes used %.0f %% CPU meanwhile)", memoryIterations - 1, secs,
                    1000 * secs / (memoryIterations - 1), 100 * watch.foreignShare()));
            double outside = rss1000 - ProcStatus.heapRssMb() - outside10;
            report.add(new Row(section, "resnet18", "of which outside the Java heap (native: libtorch, DJL, the JVM's "
                    + "own code and metadata)")).value(outside, "MB").note("the rest is Java heap pages touched for "
                    + "the first time as the garbage collector sizes its young generation (bounded by the heap)");
            double peak = ProcStatus.peakMb();
            Row pk = report.add(new Row(section, "resnet18", "peak RSS (VmHWM) over the whole run")).value(peak, "MB");
            pk.target = "≤ 400 MB";
            pk.status = peak <= 400 ? "met" : String.format(Locale.ROOT, "missed by %.0f MB", peak - 400);
            System.gc();
            Thread.sleep(3000);
            mem(section, "3 s after System.gc()", ProcStatus.rssMb());
        } finally {
            cache.clear();
        }
        report.sectionNote(section, "VmRSS / VmHWM from /proc/self/status; Java heap used / committed at that moment "
                + "(max heap " + Runtime.getRuntime().maxMemory() / 1048576 + " MB, max direct memory "
                + (maxDirect() == null ? "default (= max heap)" : maxDirect()) + "). Direct ByteBuffers: "
                + "java.nio's buffer pool (BufferPoolMXBean \"direct\"); DJL moves every float[] into and out of "
                + "libtorch through one, and its native memory is only freed when the GC collects the buffer. Each "
                + "explanation gets a new random input.");
        String suffix = actualThreads + "t" + tag;
        report.writeMarkdown(out.resolve("memory-" + suffix + ".md"), "ExplainJ memory benchmark, " + actualThreads
                + " thread" + (actualThreads == 1 ? "" : "s"));
        report.writeCsv(out.resolve("memory-" + suffix + ".csv"), Integer.toString(actualThreads));
        log("wrote " + out.resolve("memory-" + suffix + ".md"));
    }

    private void mem(String section, String what, double rss) {
        double[] heap = ProcStatus.heapMb();
        double[] direct = directBuffers();
        report.add(new Row(section, "resnet18", "VmRSS " + what)).value(rss, "MB")
                .note(String.format(Locale.ROOT, "VmHWM %.0f MB; Java heap used / committed / resident %.0f / %.0f / "
                        + "%.0f MB, so %.0f MB outside the heap; direct ByteBuffers alive: %.0f (%.1f MB)",
                        ProcStatus.peakMb(), heap[0], heap[1], ProcStatus.heapRssMb(), rss - ProcStatus.heapRssMb(),
                        direct[0], direct[1]));
        log(String.format(Locale.ROOT, "%-40s RSS %7.1f MB  HWM %7.1f MB  heap %.0f/%.0f MB  direct %.0f (%.1f MB)",
                what, rss, ProcStatus.peakMb(), heap[0], heap[1], direct[0], direct[1]));
    }

    private static String maxDirect() {
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-XX:MaxDirectMemorySize=")) {
                return a.substring(a.indexOf('=') + 1);
            }
        }
        return null;
    }

    /** Direct ByteBuffers alive (count, MB): DJL copies arrays through them; they are freed by the GC only. */
    private static double[] directBuffers() {
        for (java.lang.management.BufferPoolMXBean b
                : ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return new double[] {b.getCount(), b.getMemoryUsed() / 1048576.0};
            }
        }
        return new double[] {Double.NaN, Double.NaN};
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String firstSentence(String s) {
        if (s == null) {
            return "";
        }
        int dot = s.indexOf(". ");
        return dot > 0 ? s.substring(0, dot + 1) : s;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.1f" : "%.2f", v);
    }

    private static void log(String s) {
        System.err.println("[bench] " + s);
    }

    private static void deleteTree(Path p) throws IOException {
        if (p == null || !Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The last tensor a tapped run recorded (the layer's leaf). */
    private static NDArray lastValue(TorchScriptModel.Tapped t) {
        java.util.List<org.explainj.model.TapProtocol.Record> r = t.taps().records();
        java.util.List<NDArray> v = r.get(r.size() - 1).values();
        return v.get(v.size() - 1);
    }
}
