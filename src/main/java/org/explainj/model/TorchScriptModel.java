package org.explainj.model;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TorchScript classifier loaded once for explanation: parameters can take gradients, BatchNorm and Dropout stay in
 * eval mode, and (when the archive could be prepared) every module in {@link #tree()} can be tapped.
 *
 * <p>Get instances from {@link ModelCache}; they are shared and closed by the cache. Runs on one model are
 * serialised ({@link #lock()}), because libtorch modules carry per-call state (train/eval flags, gradients).
 */
public final class TorchScriptModel implements AutoCloseable {

    private final Path source;
    private final String sha256;
    private final ModuleTree tree;
    private final Model djlModel;
    private final PtSymbolBlock block;
    private final RewriteInfo rewrite;
    private final boolean prepared;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile boolean closed;
    private Map<String, NDArray> parameters;
    private java.util.Set<String> methodNames;
    private List<String> labels;
    private final Map<String, LayerCatalogue> catalogues = new java.util.HashMap<>();

    TorchScriptModel(Path source, String sha256, ModuleTree tree, Model djlModel, RewriteInfo rewrite) {
        this.source = source;
        this.sha256 = sha256;
        this.tree = tree;
        this.djlModel = djlModel;
        this.block = (PtSymbolBlock) djlModel.getBlock();
        this.rewrite = rewrite;
        this.prepared = rewrite.available();
        // Parameters must not accumulate gradients we never read; activations and inputs get them instead.
        block.freezeParameters(true);
        // Eval mode once, and every later call runs with training=true (needed for autograd in DJL), which DJL
        // does not turn into module.train() because its flag already says "training". So BatchNorm keeps its
        // running statistics. Never call the block with training=false: DJL would flip the mode.
        JniUtils.enableInferenceMode(block);
    }

    /** The user's model file (never modified). */
    public Path source() {
        return source;
    }

    public String sha256() {
        return sha256;
    }

    /** The module tree read from the archive's code. */
    public ModuleTree tree() {
        return tree;
    }

    /** Whether layer taps and ReLU stages are available; see {@link #notPreparedReason()}. */
    public boolean layersAvailable() {
        return prepared;
    }

    public String notPreparedReason() {
        return rewrite.reason();
    }

    /** What preparing the archive found (ReLU call sites, other activations). */
    public RewriteInfo rewriteInfo() {
        return rewrite;
    }

    /** Hold this while running a whole explanation (forward and backward passes). */
    public ReentrantLock lock() {
        return lock;
    }

    /** A manager for one explanation; close it to free every array of that explanation. */
    public NDManager newManager() {
        if (closed) {
            throw new ModelException("The model " + source.getFileName() + " was closed (its file changed and it was "
                    + "loaded again): run the explanation again.");
        }
        return djlModel.getNDManager().newSubManager();
    }

    /**
     * Runs the model with autograd on. Index the target out of the output inside a {@link GradScope} too. Returns {@code [output, taps...]} (see {@link TapRewriter}).
     *
     * @param layer     the module to tap, or null
     * @param reluStages whether every ReLU call returns its input and a leaf output
     */
    public NDList run(NDArray input, String layer, boolean reluStages) {
        boolean needsTaps = layer != null || reluStages;
        if (needsTaps && !prepared) {
            throw new LayerException("Layer methods are not available for " + source.getFileName() + ": "
                    + rewrite.reason());
        }
        int id = -1;
        if (layer != null) {
            ModuleTree.Node node = tree.node(layer);
            if (node == null) {
                throw new LayerException(LayerNames.unknownLayerMessage(layer, tree));
            }
            ScriptClass cls = tree.classes().get(node.typeName());
            ScriptClass.Method forward = cls == null ? null : cls.methods.get("forward");
            if (cls != null && forward == null && !node.childNames().isEmpty()) {
                throw new LayerException("The layer " + layer + " (" + node.type() + ") is a container that the "
                        + "model never calls itself; choose one of its modules: " + layer + "." + String.join(", "
                        + layer + ".", node.childNames()) + ".");
            }
            if (forward != null && !forward.returnType().isEmpty() && !"Tensor".equals(forward.returnType())) {
                throw new LayerException("The layer " + layer + " (" + node.type() + ") returns "
                        + forward.returnType() + ", not one tensor, so it cannot be explained. Choose a layer inside "
                        + "it" + (node.childNames().isEmpty() ? "" : " (" + layer + "." + String.join(", " + layer
                        + ".", node.childNames()) + ")") + " or one that uses its output.");
            }
            id = node.id();
        }
        return runSelecting(input, id, reluStages);
    }

    private NDList runSelecting(NDArray input, int id, boolean reluStages) {
        NDManager manager = input.getManager();
        try (GradScope grad = GradScope.open()) {
            NDList in = new NDList(input);
            if (prepared) {
                NDArray ctl = manager.create(new long[] {id, reluStages ? 1 : 0});
                NDArray marker = manager.create(0f);
                marker.setName("module_method:" + TapRewriter.ENTRY);
                in.add(ctl);
                in.add(marker);
            }
            return scoresFirst(block.forward(new ParameterStore(manager, false), in, true));
        } catch (ai.djl.engine.EngineException e) {
            throw failed(input, e);
        }
    }

    /**
     * The model's plain forward without autograd (for batches of perturbed inputs). BatchNorm stays in eval mode:
     * the call keeps DJL's training flag and only turns gradient recording off.
     */
    public NDArray forwardNoGrad(NDArray input) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return scoresFirst(block.forward(new ParameterStore(input.getManager(), false), new NDList(input), true))
                    .get(0);
        } catch (ai.djl.engine.EngineException e) {
            throw failed(input, e);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private static ModelException failed(NDArray input, ai.djl.engine.EngineException e) {
        String first = firstLine(e.getMessage());
        String hint;
        if (first.contains("missing value for argument")) {
            hint = " The model's forward needs more inputs than the one image ExplainJ gives it; wrap the model in a "
                    + "module whose forward takes a single tensor.";
        } else if (first.contains("input for 4-dimensional weight") || first.contains("input for 5-dimensional weight")) {
            hint = first.contains("input for 4-dimensional weight")
                    ? " The model takes 2-D images (N×C×H×W) but was given a volume: set model_dims=2d to explain "
                    + "the stack plane by plane."
                    : " The model takes volumes (N×C×D×H×W) but was given a plane: set model_dims=3d and give it a "
                    + "z-stack.";
        } else if (first.contains("Output size is too small") || first.contains("smaller than kernel size")
                || first.contains("Kernel size can't be greater")) {
            hint = input.getShape().dimension() == 5
                    ? " The volume (" + input.getShape().get(4) + "x" + input.getShape().get(3) + " pixels, "
                    + input.getShape().get(2) + " slices) is too small for this 3-D network in z or in x/y: give it "
                    + "as many slices as the model was trained on, or resize x and y with input_size=... (e.g. "
                    + "input_size=64)."
                    : " The image is too small for this network: resize it to the size the model was trained on with "
                    + "input_size=... (e.g. input_size=224).";
        } else {
            hint = " Check the input size and channel count the model expects.";
        }
        return new ModelException("The model failed on an input of shape " + input.getShape() + ": " + first
                + (first.endsWith(".") ? "" : ".") + hint, e);
    }

    /**
     * The outputs of an unprepared model's forward as DJL flattens them (a tuple or list: its tensors in order; a
     * dict: its values in hash order, each named by its key). The first is taken as the class scores only when it
     * is the only one, or the first of a tuple/list with shape [N, classes]; anything else is ambiguous.
     */
    private NDList scoresFirst(NDList out) {
        if (prepared || out.size() <= 1) {
            return out;
        }
        String name = out.get(0).getName();
        if (name != null && !name.isEmpty()) {
            List<String> keys = new ArrayList<>();
            out.forEach(a -> keys.add(a.getName()));
            java.util.Collections.sort(keys);
            throw new ModelException("The model's forward returns a dict (keys " + String.join(", ", keys) + "), "
                    + "so ExplainJ cannot tell which entry holds the class scores. Wrap the model so that forward "
                    + "returns the scores (e.g. out[\"logits\"]) as one tensor.");
        }
        if (out.get(0).getShape().dimension() != 2) {
            throw new ModelException("The model's forward returns " + out.size() + " tensors and the first has shape "
                    + out.get(0).getShape() + ", which is not [1, classes]; ExplainJ takes the first output of a "
                    + "tuple as the class scores only when it has that shape. Wrap the model so that forward "
                    + "returns the class scores (logits) as one tensor.");
        }
        return out;
    }

    /** Back-propagates {@code target} with the given upstream gradient, keeping the graph for more passes. */
    public static void backward(NDArray target, NDArray upstream, boolean keepGraph) {
        try (GradScope grad = GradScope.open()) {
            JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) target, (ai.djl.pytorch.engine.PtNDArray) upstream,
                    keepGraph, false);
        }
    }

    /**
     * Back-propagates {@code target} with the given upstream gradient, keeping the graph; returns false (and does
     * nothing) when {@code target} has no autograd graph, i.e. does not depend on anything that takes gradients.
     */
    public static boolean backwardIfConnected(NDArray target, NDArray upstream) {
        try {
            backward(target, upstream, true);
            return true;
        } catch (ai.djl.engine.EngineException e) {
            if (e.getMessage() != null && e.getMessage().contains("does not require grad")) {
                return false;
            }
            throw e;
        }
    }

    /** Named parameters ({@code fc.weight}...), as the model holds them. Do not close them. */
    public synchronized Map<String, NDArray> parameters() {
        if (parameters == null) {
            parameters = new LinkedHashMap<>();
            block.getParameters().forEach(p -> parameters.put(p.getKey(), p.getValue().getArray()));
        }
        return parameters;
    }

    /**
     * The number of input channels, read from the first 4-D or 5-D weight (a Conv2d's or Conv3d's in_channels ×
     * groups when groups is 1); -1 when unknown.
     */
    public int inputChannels() {
        NDArray w = firstConvWeight();
        return w == null ? -1 : (int) w.getShape().get(1);
    }

    /**
     * The number of spatial axes the model's input has, read from the first 4-D or 5-D weight: 2 for a model whose
     * first convolution is a Conv2d (N×C×H×W input), 3 for a Conv3d (N×C×D×H×W, a volume); -1 when unknown.
     */
    public int spatialDims() {
        NDArray w = firstConvWeight();
        return w == null ? -1 : w.getShape().dimension() - 2;
    }

    /** The weight {@link #spatialDims()} and {@link #inputChannels()} read, named with its shape; null if none. */
    public String firstConvolutionWeight() {
        NDArray w = firstConvWeight();
        for (Map.Entry<String, NDArray> e : parameters().entrySet()) {
            if (w != null && e.getValue() == w) {
                return e.getKey() + " " + e.getValue().getShape();
            }
        }
        return null;
    }

    private NDArray firstConvWeight() {
        for (NDArray p : parameters().values()) {
            int rank = p.getShape().dimension();
            if ((rank == 4 || rank == 5) && p.getDataType() == DataType.FLOAT32) {
                return p;
            }
        }
        return null;
    }

    /**
     * The modules with their output shapes for inputs of the given shape (one forward pass the first time per
     * shape, then cached). Needs the prepared archive.
     */
    public LayerCatalogue catalogue(long[] inputShape) {
        if (!prepared) {
            throw new LayerException("The layers of " + source.getFileName() + " cannot be listed: "
                    + rewrite.reason());
        }
        String key = java.util.Arrays.toString(inputShape);
        synchronized (catalogues) {
            LayerCatalogue c = catalogues.get(key);
            if (c != null) {
                return c;
            }
        }
        lock.lock();
        try (NDManager m = newManager()) {
            NDArray x = m.zeros(new ai.djl.ndarray.types.Shape(inputShape));
            NDList out = runSelecting(x, TapRewriter.SHAPES, false);
            List<long[]> rows = new ArrayList<>();
            for (int i = 1; i < out.size(); i++) {
                rows.add(out.get(i).toLongArray());
            }
            LayerCatalogue c = LayerCatalogue.of(tree, rows, out.get(0).getShape().getShape(), inputShape.length);
            synchronized (catalogues) {
                catalogues.put(key, c);
            }
            return c;
        } finally {
            lock.unlock();
        }
    }

    /** The default layer for CAM methods for inputs of this shape ({@link LayerCatalogue#defaultCamLayer()}). */
    public String defaultCamLayer(long[] inputShape) {
        return catalogue(inputShape).defaultCamLayer();
    }

    /** A prepared model's method from the input to the explained activation. */
    public static final String PREPARED_FEATURES = "features";
    /** A prepared model's method from that activation to the output. */
    public static final String PREPARED_HEAD = "head";

    /**
     * Whether a layer request is served by the model's own {@code features}/{@code head} methods: when the model
     * has both and the layer is blank or {@code features}.
     */
    public boolean usesPreparedMethods(String layer) {
        java.util.Set<String> methods = methodNames();
        if (!methods.contains(PREPARED_FEATURES) || !methods.contains(PREPARED_HEAD)) {
            return false;
        }
        return layer == null || layer.isBlank() || layer.trim().equals(PREPARED_FEATURES);
    }

    /**
     * Class names from a labels file beside the model (one per line): {@code <name>.labels.txt} (e.g.
     * {@code model.labels.txt} for {@code model.pt}), else the longest {@code <prefix>.labels.txt} whose prefix
     * starts the model's name ({@code ringnet.labels.txt} for {@code ringnet_traced.pt}), else {@code labels.txt}
     * in the same folder; empty if none.
     */
    public synchronized List<String> labels() {
        if (labels == null) {
            labels = List.of();
            String name = source.getFileName().toString();
            String stem = name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name;
            java.nio.file.Path dir = source.toAbsolutePath().getParent();
            String prefixed = null;
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    String fn = f.getFileName().toString();
                    if (fn.endsWith(".labels.txt")) {
                        String prefix = fn.substring(0, fn.length() - ".labels.txt".length());
                        if (stem.startsWith(prefix) && (prefixed == null || prefix.length() > prefixed.length()
                                - ".labels.txt".length())) {
                            prefixed = fn;
                        }
                    }
                }
            } catch (java.io.IOException e) {
                // no listing: fall back to the fixed names
            }
            String[] candidates = prefixed == null ? new String[] {stem + ".labels.txt", "labels.txt"}
                    : new String[] {stem + ".labels.txt", prefixed, "labels.txt"};
            for (String candidate : candidates) {
                java.nio.file.Path p = dir.resolve(candidate);
                if (java.nio.file.Files.isRegularFile(p)) {
                    try {
                        labels = java.nio.file.Files.readAllLines(p).stream().map(String::trim)
                                .filter(l -> !l.isEmpty()).toList();
                    } catch (java.io.IOException e) {
                        throw new ModelException("Cannot read the labels file " + p + ": " + e.getMessage(), e);
                    }
                    break;
                }
            }
        }
        return labels;
    }

    /** Uses class names from the given file (one per line) instead of a labels file beside the model. */
    public synchronized void useLabels(java.nio.file.Path file) {
        try {
            labels = java.nio.file.Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty())
                    .toList();
        } catch (java.io.IOException e) {
            throw new ModelException("Cannot read the labels file " + file + ": " + e.getMessage()
                    + ". Give a text file with one class name per line.", e);
        }
    }

    /** Names of the methods the TorchScript module has (e.g. prepared {@code features} and {@code head}). */
    public synchronized java.util.Set<String> methodNames() {
        if (methodNames == null) {
            methodNames = java.util.Set.of(JniUtils.getMethodNames(block));
        }
        return methodNames;
    }

    /**
     * Runs one of the module's own methods (e.g. a prepared model's {@code features} or {@code head}) with
     * autograd.
     */
    public NDArray runMethod(String method, NDArray input) {
        NDArray marker = input.getManager().create(0f);
        marker.setName("module_method:" + method);
        try (GradScope grad = GradScope.open()) {
            return block.forward(new ParameterStore(input.getManager(), false), new NDList(input, marker), true)
                    .singletonOrThrow();
        } catch (ai.djl.engine.EngineException e) {
            throw new ModelException("The model's method " + method + " failed on an input of shape "
                    + input.getShape() + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** Module paths in pre-order, without the root. */
    public List<String> layerPaths() {
        List<String> paths = new ArrayList<>();
        if (tree != null) {
            for (ModuleTree.Node n : tree.nodes()) {
                if (!n.path().isEmpty()) {
                    paths.add(n.path());
                }
            }
        }
        return paths;
    }

    static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        if (message.startsWith("The following operation failed in the TorchScript interpreter")) {
            String[] lines = message.split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String l = lines[i].trim();
                if (!l.isEmpty()) {
                    return l.replaceFirst("^[A-Za-z]*Error: ", "");
                }
            }
        }
        for (String line : message.split("\n")) {
            if (!line.isBlank() && !line.startsWith("Exception raised from")) {
                return line.trim();
            }
        }
        return message.trim();
    }

    @Override
    public void close() {
        lock.lock(); // after the running pass, if any
        try {
            closed = true;
            djlModel.close();
        } finally {
            lock.unlock();
        }
    }
}
