package org.explainj.explain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.explainj.model.LayerCatalogue;
import org.explainj.model.LayerException;
import org.explainj.model.ModelException;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Refuses an explanation whose memory would not fit before it starts, instead of letting the kernel kill the Fiji
 * session. The peak is estimated from the input size and the layer catalogue's output shapes (one forward at a
 * proxy size with the image's aspect, scaled by area): S = the leaf modules' outputs (float32, every call),
 * A = the largest one, S_relu = the ReLU outputs, L = the explained layer's output, I = the input:
 * <ul>
 * <li>input gradients (Saliency, Input x Gradient): C0 + S + A + 3·I (autograd keeps every leaf's output once, the
 * backward one more buffer of the largest);</li>
 * <li>ReLU rules (Guided Backprop, Deconvnet, Guided Grad-CAM): that + 7·S_relu (each ReLU stage holds its input,
 * output and rule temporaries);</li>
 * <li>batches of B input gradients (Integrated Gradients, SmoothGrad): C0 + B·(S + A) + 4·B·I;</li>
 * <li>CAM methods with a gradient: C0 + S/2 + S_after + 2·L (the forward's live set, autograd after the layer);
 * without one (CAM, EigenCAM): C0 + S/2 + 2·L; Score-CAM and Occlusion add B·(S/2 + 3·I) for their batches.</li>
 * </ul>
 * C0 = 150 MB. Measured on three models (ResNet-18, a U-Net, a DenseNet) at 512 to 3000 pixels (see the README),
 * the estimate is 0.91–1.48× the resident memory a first run adds. The run is refused when 1.3 × the estimate
 * exceeds the memory the process can still get: the least of MemAvailable and the cgroup's limit minus its usage, less the Java heap the JVM may still take
 * and a margin of max(512 MB, 10 %). Models whose code could not be prepared have no catalogue: S is taken as 50·I.
 */
public final class MemoryGuard {

    private static final long MB = 1L << 20;
    private static final long C0 = 150 * MB;
    /** Above this many input pixels the catalogue runs at a smaller size with the same aspect. */
    private static final long PROXY_PIXELS = 512L * 512;

    /**
     * An estimate of the extra native memory (bytes) and Java heap a run needs.
     *
     * @param nativeBytes libtorch's part
     * @param heapBytes   the Java arrays (inputs, gradients, maps)
     * @param perPixel    native bytes per input pixel (to suggest a size)
     */
    public record Estimate(long nativeBytes, long heapBytes, double perPixel) {
    }

    /**
     * The automatic batch size keeps a batch's activations (S per sample) within this many bytes. Measured
     * (SmoothGrad, time per sample against the batch size): the U-Net at 512² (S about 170 MB) costs the same per
     * sample in batches of 1 and 2 and 40–50 % more in batches of 4 and 8; ResNet-18 at 224² (S about 28 MB) the
     * same in batches of 4 to 32. So 384 MB: the U-Net gets 2, ResNet-18 13, small inputs 32.
     */
    static final long BATCH_ACTIVATIONS = 384 * MB;
    /** The largest automatic batch. */
    static final int MAX_AUTO_BATCH = 32;

    private MemoryGuard() {
    }

    /**
     * The inputs per pass of a batched method (Score-CAM, SmoothGrad, Integrated Gradients, Occlusion): the user's
     * {@code batch_size} when it is 1 or more, else (0, automatic) the largest batch of at most
     * {@value #MAX_AUTO_BATCH} whose activations (S, the leaf modules' outputs per sample at this input size) stay
     * within {@link #BATCH_ACTIVATIONS}. Large batches of large activations cost more per sample than small ones
     * (memory traffic), so a model with large activations per sample gets small batches.
     */
    public static int batchSize(TorchScriptModel model, ModelInput input, ExplainOptions options) {
        int given = options.get(Options.BATCH_SIZE);
        if (given > 0) {
            return given;
        }
        long perSample = Math.max(1, sizes(model, input, options, Method.SALIENCY).all);
        return (int) Math.max(1, Math.min(MAX_AUTO_BATCH, BATCH_ACTIVATIONS / perSample));
    }

    /** Refuses (with the estimate and what to do) a run that would not fit in memory. */
    public static void check(Method method, TorchScriptModel model, ModelInput input, ExplainOptions options) {
        if ("false".equalsIgnoreCase(System.getProperty("explainj.memory.check"))) {
            return;
        }
        Estimate e = estimate(method, model, input, options);
        long available = available();
        Runtime rt = Runtime.getRuntime();
        long heapUsed = rt.totalMemory() - rt.freeMemory();
        long heapFree = rt.maxMemory() - heapUsed;
        long reserve = Math.max(0, Math.min(rt.maxMemory(), heapUsed + e.heapBytes()) - rt.totalMemory());
        long usable = available - reserve - Math.max(512 * MB, available / 10);
        String size = input.grid().isVolume() ? input.width() + "x" + input.height() + "x" + input.depth()
                : input.width() + "x" + input.height();
        if (e.heapBytes() > heapFree) {
            throw new MethodException(method + " on a " + size + " input needs about " + gb(e.heapBytes())
                    + " of Java memory, but ImageJ has " + gb(heapFree) + " left (Edit › Options › Memory & "
                    + "Threads sets the maximum)." + advice(method, model, input, options, e, heapFree));
        }
        if (e.nativeBytes() * 13 / 10 > usable) {
            throw new MethodException(method + " on a " + size + " input with " + model.source().getFileName()
                    + " needs about " + gb(e.nativeBytes()) + " of memory (an estimate; measured runs used 0.7 to "
                    + "1.1 times it), but only " + gb(Math.max(0, usable)) + " can be used safely now: running it "
                    + "could make the system stop ImageJ." + advice(method, model, input, options, e, usable));
        }
    }

    private static String advice(Method method, TorchScriptModel model, ModelInput input, ExplainOptions options,
                                 Estimate e, long usable) {
        StringBuilder sb = new StringBuilder(" Resize the image with input_size=");
        double pixels = (double) input.width() * input.height() * Math.max(1, input.depth());
        double fit = e.perPixel() > 0 ? (usable / 1.3 - C0) / e.perPixel() : 0;
        double scale = Math.min(1, Math.sqrt(Math.max(fit, 0) / pixels) * 0.9);
        int w = Math.max(32, (int) (input.width() * scale) / 32 * 32);
        int h = Math.max(32, (int) (input.height() * scale) / 32 * 32);
        sb.append(w == h ? Integer.toString(w) : w + "x" + h).append(" (or smaller), explain a crop of the region "
                + "that matters (Image › Crop)");
        if (method.options().contains(Options.BATCH_SIZE) && batchSize(model, input, options) > 1) {
            sb.append(", use a smaller batch_size");
        }
        return sb.append(", or close other programs.").toString();
    }

    private static String gb(long bytes) {
        return String.format(Locale.ROOT, bytes >= 1L << 30 ? "%.1f GB" : "%.0f MB",
                bytes >= 1L << 30 ? bytes / (double) (1L << 30) : bytes / (double) MB);
    }

    /** The estimate for one run of {@code method} on {@code input}. */
    public static Estimate estimate(Method method, TorchScriptModel model, ModelInput input, ExplainOptions options) {
        long inputBytes = 4L * input.data().length;
        double pixels = (double) input.width() * input.height() * Math.max(1, input.depth());
        Sizes s = sizes(model, input, options, method);
        long batch = method.options().contains(Options.BATCH_SIZE) ? batchSize(model, input, options) : 1;
        long nat;
        long heap;
        switch (method) {
            case SALIENCY, INPUT_X_GRADIENT -> {
                nat = C0 + s.all + s.largest + 3 * inputBytes;
                heap = 4 * inputBytes;
            }
            case GUIDED_BACKPROP, DECONVNET, GUIDED_GRAD_CAM -> {
                nat = C0 + s.all + s.largest + 3 * inputBytes + 7 * s.relu;
                heap = 4 * inputBytes;
            }
            case INTEGRATED_GRADIENTS, SMOOTH_GRAD -> {
                long b = Math.min(batch, method == Method.SMOOTH_GRAD ? options.get(Options.SAMPLES) : options.get(Options.STEPS));
                nat = C0 + b * (s.all + s.largest) + 4 * b * inputBytes;
                heap = (3 * b + 4) * inputBytes;
            }
            case CAM, EIGEN_CAM -> {
                nat = C0 + s.all / 2 + 2 * s.layer;
                heap = 2 * inputBytes + 2 * s.layer;
            }
            case SCORE_CAM -> {
                nat = C0 + s.all / 2 + 2 * s.layer + batch * (s.all / 2 + 3 * inputBytes);
                heap = (batch + 2) * inputBytes + 2 * s.layer;
            }
            case OCCLUSION -> {
                nat = C0 + batch * (s.all / 2 + 3 * inputBytes);
                heap = (batch + 2) * inputBytes;
            }
            case ATTENTION_ROLLOUT -> {
                nat = C0 + s.all + s.attention;
                heap = 2 * inputBytes + s.attention;
            }
            default -> {
                nat = C0 + s.all / 2 + s.after + 2 * s.layer;
                heap = 2 * inputBytes + 2 * s.layer;
            }
        }
        if (s.copyUnchecked && method != Method.OCCLUSION && pixels <= 256L * 256) {
            // the first run at this size also checks the prepared copy: a staged backward on a probe (larger
            // inputs are checked at a smaller size)
            nat = Math.max(nat, C0 + s.all + s.largest + 3 * inputBytes + 7 * s.relu);
        }
        return new Estimate(nat, heap, (nat - C0) / pixels);
    }

    /** Catalogue sizes in bytes at the input's size. */
    private record Sizes(long all, long largest, long relu, long layer, long after, long attention,
                         boolean copyUnchecked) {
    }

    private static Sizes sizes(TorchScriptModel model, ModelInput input, ExplainOptions options, Method method) {
        long[] shape = input.shape();
        long inputBytes = 4L * input.data().length;
        if (!model.layersAvailable()) {
            return new Sizes(50 * inputBytes, 8 * inputBytes, 25 * inputBytes, 8 * inputBytes, 25 * inputBytes, 0,
                    false);
        }
        long[] proxy = shape.clone();
        double area = 1;
        long pixels = shape[shape.length - 1] * shape[shape.length - 2];
        if (pixels > PROXY_PIXELS) {
            double f = Math.sqrt((double) pixels / PROXY_PIXELS);
            proxy[proxy.length - 1] = Math.max(32, (long) Math.ceil(shape[shape.length - 1] / f / 32) * 32);
            proxy[proxy.length - 2] = Math.max(32, (long) Math.ceil(shape[shape.length - 2] / f / 32) * 32);
            area = (double) pixels / (proxy[proxy.length - 1] * proxy[proxy.length - 2]);
        }
        LayerCatalogue c;
        try {
            c = model.catalogue(proxy);
        } catch (ModelException | LayerException e) {
            if (area == 1) {
                throw e;
            }
            c = model.catalogue(shape); // a model that takes one size only
            area = 1;
        }
        List<LayerCatalogue.Layer> layers = c.layers();
        List<String> paths = new ArrayList<>();
        layers.forEach(l -> paths.add(l.path()));
        long all = 0;
        long largest = 0;
        long relu = 0;
        for (LayerCatalogue.Layer l : layers) {
            if (l.shape() == null || l.calls() == 0 || !isLeaf(l.path(), paths)) {
                continue;
            }
            long bytes = (long) (4 * elements(l.shape()) * area);
            all += bytes * l.calls();
            largest = Math.max(largest, bytes);
            if (l.type().contains("ReLU")) {
                relu += bytes * l.calls();
            }
        }
        if (model.rewriteInfo().reluSites() > 0 && relu == 0) {
            relu = all / 2; // functional ReLUs: not modules, not in the catalogue
        }
        long layer = 0;
        long after = 0;
        if (method.usesLayer()) {
            String path = options.layer() != null && !options.layer().isBlank() ? options.layer().trim()
                    : c.defaultCamLayer();
            LayerCatalogue.Layer l = path == null ? null : c.layer(path);
            if (l != null && l.shape() != null) {
                layer = (long) (4 * elements(l.shape()) * area);
                int at = c.executionOrder().indexOf(path);
                for (int i = Math.max(0, at + 1); i < c.executionOrder().size(); i++) {
                    LayerCatalogue.Layer later = c.layer(c.executionOrder().get(i));
                    if (later.shape() != null && isLeaf(later.path(), paths)) {
                        after += (long) (4 * elements(later.shape()) * area) * later.calls();
                    }
                }
            }
        }
        long attention = 0;
        if (model.rewriteInfo().attentionSites() > 0) {
            long tokens = 0;
            for (String p : c.spatialLayers()) {
                LayerCatalogue.Layer l = c.layer(p);
                if (l.shape().length == 3) {
                    tokens = Math.max(tokens, Math.max(l.shape()[0], l.shape()[1]));
                }
            }
            // heads unknown: at most 16 per layer, probabilities and their gradient
            attention = 2L * model.rewriteInfo().attentionSites() * 16 * 4 * tokens * tokens;
        }
        boolean unchecked = method != Method.SALIENCY && method != Method.INPUT_X_GRADIENT
                && method != Method.INTEGRATED_GRADIENTS && method != Method.SMOOTH_GRAD
                && !model.copyChecked(shape);
        return new Sizes(all, largest, relu, layer, after, attention, unchecked);
    }

    private static boolean isLeaf(String path, List<String> paths) {
        String prefix = path + ".";
        for (String p : paths) {
            if (p.startsWith(prefix)) {
                return false;
            }
        }
        return true;
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * The memory this process can still get from the system: the least of MemAvailable ({@code /proc/meminfo})
     * and, under a cgroup limit (v2 {@code memory.max}, v1 {@code memory.limit_in_bytes}), the limit minus the
     * usage (less reclaimable page cache). {@code -Dexplainj.memory.available=<bytes>} overrides it (tests).
     */
    public static long available() {
        String forced = System.getProperty("explainj.memory.available");
        if (forced != null && !forced.isBlank()) {
            return Long.parseLong(forced.trim());
        }
        long avail = meminfo("MemAvailable");
        if (avail <= 0) {
            avail = Runtime.getRuntime().maxMemory() * 4; // not Linux: no better figure
        }
        long cgroup = cgroupHeadroom();
        return cgroup > 0 ? Math.min(avail, cgroup) : avail;
    }

    private static long meminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key + ":")) {
                    String[] parts = line.substring(key.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** Limit minus usage of this process's memory cgroup; -1 without a limit. */
    private static long cgroupHeadroom() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] parts = line.split(":", 3);
                if (parts.length < 3) {
                    continue;
                }
                if (parts[0].equals("0") && parts[1].isEmpty()) { // v2
                    for (Path dir = Path.of("/sys/fs/cgroup" + parts[2]); dir != null
                            && dir.startsWith("/sys/fs/cgroup"); dir = dir.getParent()) {
                        long max = number(dir.resolve("memory.max"));
                        if (max > 0) {
                            return max - (number(dir.resolve("memory.current"))
                                    - stat(dir.resolve("memory.stat"), "inactive_file"));
                        }
                    }
                } else if (List.of(parts[1].split(",")).contains("memory")) { // v1
                    Path dir = Path.of("/sys/fs/cgroup/memory" + parts[2]);
                    if (!Files.isDirectory(dir)) {
                        dir = Path.of("/sys/fs/cgroup/memory");
                    }
                    long limit = number(dir.resolve("memory.limit_in_bytes"));
                    if (limit > 0 && limit < (1L << 62)) {
                        return limit - (number(dir.resolve("memory.usage_in_bytes"))
                                - stat(dir.resolve("memory.stat"), "total_inactive_file"));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup information
        }
        return -1;
    }

    private static long number(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            return -1;
        }
        String v = Files.readString(p).trim();
        return v.equals("max") ? -1 : Long.parseLong(v);
    }

    private static long stat(Path p, String key) throws IOException {
        if (!Files.isRegularFile(p)) {
            return 0;
        }
        for (String line : Files.readAllLines(p)) {
            if (line.startsWith(key + " ")) {
                return Long.parseLong(line.substring(key.length() + 1).trim());
            }
        }
        return 0;
    }
}
