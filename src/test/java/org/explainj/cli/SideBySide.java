package org.explainj.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ij.IJ;
import ij.ImagePlus;
import ij.process.FloatProcessor;
import ij.ImageStack;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.explainj.bench.Machine;
import org.explainj.bench.ProcStatus;
import org.explainj.model.HostArrays;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;

/**
 * The macro side of the side-by-side benchmark ({@code bench/side-by-side.sh}): what a user's batch macro costs per
 * explanation, {@code run("Explain Image...", "model=[...] method=[...]")} in a running ImageJ, on the input the
 * Python side gives to Captum and pytorch-grad-cam (an .npy file of shape 1×3×H×W, read here into a 32-bit
 * 3-slice stack and explained with scale=none, so both sides feed the network the very same numbers).
 *
 * <p>The command is registered in ImageJ's command table as {@code plugins.config} registers it in Fiji; the macro
 * runs through ImageJ's macro interpreter ({@code IJ.runMacro}), in batch mode, and closes each heatmap after the
 * call. Timed per call around {@code run(...)} only.
 *
 * <p>Usage: {@code SideBySide --model FILE --input X.npy --out FILE.csv [--reps 20] [--warmup 30] [--ig-reps 3]
 * [--memory 300] [--first METHOD] [--layer layer4]}. {@code --memory N}: N Grad-CAM macro calls, RSS after call 1,
 * 20, every 100 and N. {@code --first METHOD}: only the first macro call of this JVM (engine start, model load, first
 * explanation).
 */
public final class SideBySide {

    private static final List<double[]> TIMES = new ArrayList<>();
    private static long started;

    private SideBySide() {
    }

    /** Called by the macro before a timed run(...). */
    public static String start() {
        started = System.nanoTime();
        return "";
    }

    /** Called by the macro after a timed run(...). */
    public static String stop() {
        TIMES.add(new double[] {(System.nanoTime() - started) / 1e6});
        return "";
    }

    /** Resident memory (MB) for the macro's memory loop. */
    public static String rss() {
        return String.format(Locale.ROOT, "%.1f %.1f", ProcStatus.rssMb(), ProcStatus.heapRssMb());
    }

    public static void main(String[] args) throws Exception {
        Path model = null;
        Path input = null;
        Path out = null;
        int reps = 20;
        int warmup = 30;
        int igReps = 3;
        int memory = 0;
        String first = null;
        String layer = "layer4";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = Path.of(args[++i]);
                case "--input" -> input = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--ig-reps" -> igReps = Integer.parseInt(args[++i]);
                case "--memory" -> memory = Integer.parseInt(args[++i]);
                case "--layer" -> layer = args[++i];
                case "--first" -> first = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (model == null || input == null || out == null) {
            throw new IllegalArgumentException("SideBySide --model FILE --input X.npy --out FILE.csv");
        }
        new ij.ImageJ(ij.ImageJ.NO_SHOW);
        ij.Menus.getCommands().put("Explain Image...", "org.explainj.ij.ExplainImagePlugin");
        Path tif = Files.createTempFile("side-by-side", ".tif");
        ImagePlus image = stackOf(org.explainj.bioimage.NpyArray.read(input));
        IJ.saveAsTiff(image, tif.toString());

        String common = "model=[" + model.toAbsolutePath() + "] scale=none target=top";
        List<String[]> rows = new ArrayList<>();
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("side,item,reps,median_ms,min_ms,max_ms,note");
            if (first != null) {
                // a fresh JVM: engine start, model load (prepared copy from the cache when there is one), first call
                double[] t = macroLoop(tif, common + " method=[" + first + "]"
                        + (first.equals("Grad-CAM") ? " layer=" + layer : ""), 0, 1);
                item(w, "first " + first + " in a fresh ImageJ", t, "includes engine start and model load; JVM "
                        + "uptime at the end " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms");
            } else if (memory > 0) {
                memoryLoop(tif, common + " method=[Grad-CAM] layer=" + layer, memory, w);
            } else {
                item(w, "forward (libtorch, no grad)", forward(model, image), "TorchScriptModel.forwardNoGrad");
                String[][] methods = {
                    {"Grad-CAM", "method=[Grad-CAM] layer=" + layer},
                    {"Saliency", "method=[Saliency]"},
                    {"Guided Backprop", "method=[Guided Backprop]"},
                    {"Integrated Gradients", "method=[Integrated Gradients] steps=50"},
                };
                for (String[] m : methods) {
                    boolean slow = m[0].startsWith("Integrated");
                    double[] t = macroLoop(tif, common + " " + m[1], slow ? 1 : warmup, slow ? igReps : reps);
                    item(w, m[0], t, "run(\"Explain Image...\", \"" + m[1] + " scale=none target=top\")");
                }
            }
        }
        Files.deleteIfExists(tif);
        System.out.println("wrote " + out + " (" + Machine.nproc() + " cores, explainj.threads="
                + System.getProperty("explainj.threads") + ")");
        System.exit(0);
    }

    private static void item(PrintWriter w, String item, double[] t, String note) {
        double[] s = t.clone();
        Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        w.printf(Locale.ROOT, "explainj,\"%s\",%d,%.2f,%.2f,%.2f,\"%s\"%n", item, s.length, median, s[0],
                s[s.length - 1], note.replace("\"", "'"));
        w.flush();
        System.out.printf(Locale.ROOT, "%-22s median %.1f ms (min %.1f, max %.1f, %d reps)%n", item, median, s[0],
                s[s.length - 1], s.length);
    }

    /** Times {@code reps} macro calls after {@code warmup} untimed ones (the same macro loop). */
    private static double[] macroLoop(Path tif, String options, int warmup, int reps) {
        TIMES.clear();
        String cls = SideBySide.class.getName();
        String macro = "setBatchMode(true); open('" + tif + "'); id = getImageID();\n"
                + "for (i = 0; i < " + (warmup + reps) + "; i++) {\n"
                + "  selectImage(id);\n"
                + "  call('" + cls + ".start');\n"
                + "  run('Explain Image...', '" + options + "');\n"
                + "  call('" + cls + ".stop');\n"
                + "  close();\n"
                + "}\n"
                + "close();\n";
        IJ.runMacro(macro);
        if (TIMES.size() != warmup + reps) {
            throw new IllegalStateException("the macro made " + TIMES.size() + " calls, not " + (warmup + reps)
                    + ": see the Log (" + options + ")");
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            t[i] = TIMES.get(warmup + i)[0];
        }
        return t;
    }

    private static void memoryLoop(Path tif, String options, int calls, PrintWriter w) throws IOException {
        String cls = SideBySide.class.getName();
        Path log = Files.createTempFile("side-by-side-rss", ".txt");
        String macro = "setBatchMode(true); open('" + tif + "'); id = getImageID(); s = '';\n"
                + "for (i = 1; i <= " + calls + "; i++) {\n"
                + "  selectImage(id);\n"
                + "  run('Explain Image...', '" + options + "');\n"
                + "  close();\n"
                + "  if (i == 1 || i == 20 || i % 100 == 0 || i == " + calls + ") s = s + i + ' ' + call('" + cls
                + ".rss') + '\\n';\n"
                + "}\n"
                + "File.saveString(s, '" + log + "');\n";
        IJ.runMacro(macro);
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        double[] heap = ProcStatus.heapMb();
        for (String line : Files.readAllLines(log)) {
            if (!line.isBlank()) {
                String[] p = line.trim().split(" ");
                double rss = Double.parseDouble(p[1]);
                double heapRss = Double.parseDouble(p[2]);
                w.printf(Locale.ROOT, "explainj,RSS after call %s,1,%.1f,%.1f,%.1f,\"MB; of which Java heap %.1f, "
                        + "the rest %.1f\"%n", p[0], rss, rss, rss, heapRss, rss - heapRss);
                System.out.printf(Locale.ROOT, "RSS after call %s: %.1f MB (Java heap %.1f, the rest %.1f)%n", p[0],
                        rss, heapRss, rss - heapRss);
            }
        }
        w.printf(Locale.ROOT, "explainj,direct buffers at the end,1,%d,%d,%d,\"count; %d KB\"%n", direct.getCount(),
                direct.getCount(), direct.getCount(), direct.getMemoryUsed() / 1024);
        w.printf(Locale.ROOT, "explainj,Java heap committed at the end,1,%.1f,%.1f,%.1f,\"MB; used %.1f\"%n",
                heap[1], heap[1], heap[1], heap[0]);
        Files.deleteIfExists(log);
    }

    /** The plain no-grad forward of the model on the same input, for scale. */
    private static double[] forward(Path file, ImagePlus image) {
        TorchScriptModel m = ModelCache.shared().get(file);
        int c = image.getStackSize();
        int hw = image.getWidth() * image.getHeight();
        float[] x = new float[c * hw];
        for (int k = 0; k < c; k++) {
            System.arraycopy((float[]) image.getStack().getPixels(k + 1), 0, x, k * hw, hw);
        }
        Shape shape = new Shape(1, c, image.getHeight(), image.getWidth());
        double[] t = new double[20];
        for (int i = -5; i < t.length; i++) {
            try (NDManager mm = m.newManager()) {
                long t0 = System.nanoTime();
                m.forwardNoGrad(HostArrays.floats(mm, x, shape));
                if (i >= 0) {
                    t[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        return t;
    }

    /** A 1×C×H×W float array as a C-slice 32-bit stack (the channels of one image). */
    private static ImagePlus stackOf(org.explainj.bioimage.NpyArray a) {
        long[] s = a.shape();
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        ImageStack stack = new ImageStack(w, h);
        for (int k = 0; k < c; k++) {
            stack.addSlice("c" + k, new FloatProcessor(w, h, Arrays.copyOfRange(a.data(), k * h * w,
                    (k + 1) * h * w)));
        }
        ImagePlus imp = new ImagePlus("side-by-side input", stack);
        imp.setDimensions(c, 1, 1);
        return imp;
    }
}
