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
    /** Explanation managers not yet closed; the native model is freed when the last one closes after close(). */
    private int openManagers;
    private boolean freed;
    private final java.util.concurrent.atomic.AtomicLong managerIds = new java.util.concurrent.atomic.AtomicLong();
    private Map<String, NDArray> parameters;
    private java.util.Set<String> methodNames;
    private List<String> labels;
    private final Map<String, LayerCatalogue> catalogues = new java.util.HashMap<>();
    private final CopyCheck check;
    private final CopyCheck.Store store;
    private final DefaultCamLayer defaultCamLayer = new DefaultCamLayer(this);
    private List<String> dictKeys;

    TorchScriptModel(Path source, String sha256, ModuleTree tree, Model djlModel, RewriteInfo rewrite,
                     CopyCheck.Store checks) {
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
        this.check = new CopyCheck(this, checks);
        this.store = checks;
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

    /** The check that the prepared copy computes what the model computes. */
    CopyCheck check() {
        return check;
    }

    /**
     * Checks (once per input shape and layer; the result is kept with the prepared copy) that the prepared copy
     * computes what the model does, for runs with ReLU stages or at {@code layer} (null: none). A copy that
     * differs is refused with a message naming the check and what still works.
     */
    public void requireCheckedCopy(long[] inputShape, String layer) {
        requirePrepared();
        check.require(inputShape, tree.tapId(layer), true);
    }

    /** Whether the prepared copy was already checked for inputs of this shape (so no check runs first). */
    public boolean copyChecked(long[] inputShape) {
        return !prepared || check.checked(inputShape);
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
        synchronized (lock) {
            if (closed) {
                throw closedException();
            }
            openManagers++;
        }
        // Not a sub-manager of the model's: closing the model must not free the arrays of a running explanation.
        NDManager m = djlModel.getNDManager().getEngine().newBaseManager(djlModel.getNDManager().getDevice());
        m.attachInternal("explainj-model-use-" + managerIds.incrementAndGet(), (AutoCloseable) this::managerClosed);
        return m;
    }

    private ModelException closedException() {
        return new ModelException("The model " + source.getFileName() + " was closed (its file changed and it was "
                + "loaded again): run the explanation again.");
    }

    private void managerClosed() {
        boolean last;
        synchronized (lock) {
            openManagers--;
            last = closed && openManagers == 0;
        }
        if (last) {
            free();
        }
    }

    /** Frees the native module once, after the running pass (if any). */
    private void free() {
        lock.lock();
        try {
            synchronized (lock) {
                if (freed) {
                    return;
                }
                freed = true;
            }
            djlModel.close();
        } finally {
            lock.unlock();
        }
    }

    /** Refuses a run on a model whose native module was freed (an input made outside {@link #newManager()}). */
    private void requireNative() {
        synchronized (lock) {
            if (freed) {
                throw closedException();
            }
        }
    }

    /**
     * One run of the prepared copy: the explained output, which one it is (for the heatmap's Info; null when the
     * model has one output), and the tap records ({@link TapProtocol}).
     */
    public record Tapped(NDArray output, String outputLabel, TapProtocol.Result taps) {
    }

    /**
     * Runs the prepared copy with autograd on, with the given layer cut and/or ReLU stages, after checking (once per
     * input shape and layer) that the copy computes what the model computes ({@link CopyCheck}). Index the target
     * out of the output inside a {@link GradScope} too.
     *
     * @param layer      the module to tap, or null
     * @param reluStages whether every ReLU call returns its input and a leaf output
     * @param attention  whether softmax outputs (attention probabilities) are recorded
     * @param output     which output to explain ({@link ModelOutputs}); null for the default
     */
    public Tapped run(NDArray input, String layer, boolean reluStages, boolean attention, String output) {
        requirePrepared();
        int id = tree.tapId(layer);
        check.require(input.getShape().getShape(), id, reluStages);
        return runCopy(input, id, reluStages, attention, output);
    }

    /** {@link #run(NDArray, String, boolean, boolean, String)} with the default output and no attention taps. */
    public Tapped run(NDArray input, String layer, boolean reluStages) {
        return run(input, layer, reluStages, false, null);
    }

    private void requirePrepared() {
        if (!prepared) {
            throw new LayerException("Layer methods are not available for " + source.getFileName() + ": "
                    + rewrite.reason());
        }
    }

    /** Runs the prepared copy without the check. */
    Tapped runCopy(NDArray input, int selection, boolean reluStages, boolean attention, String output) {
        requireNative();
        NDManager manager = input.getManager();
        try (GradScope grad = GradScope.open()) {
            NDArray ctl = TapProtocol.control(manager, selection, reluStages, attention);
            NDArray marker = HostArrays.scalar(manager, 0f);
            marker.setName("module_method:" + rewrite.entry());
            NDList result = block.forward(new ParameterStore(manager, false), new NDList(input, ctl, marker), true);
            TapProtocol.Result r = TapProtocol.decode(result);
            ModelOutputs.Named named = copyOutputs(input, r.outputs());
            int chosen = ModelOutputs.select(named, output);
            return new Tapped(r.outputs().get(chosen), ModelOutputs.label(named, chosen), r);
        } catch (ai.djl.engine.EngineException e) {
            throw LibtorchErrors.failed(input, e);
        }
    }

    /** The copy's outputs, named: a dict's keys sorted (as the copy returns them), else indexes. */
    ModelOutputs.Named copyOutputs(NDArray input, List<NDArray> outputs) {
        List<String> names = new ArrayList<>();
        boolean dict = "dict".equals(rewrite.outputKind());
        if (dict) {
            synchronized (this) {
                if (dictKeys == null) {
                    try (NDManager m = input.getManager().newSubManager()) {
                        dictKeys = own(m.zeros(input.getShape()), false).names();
                    }
                }
            }
            names.addAll(dictKeys);
        } else if ("namedtuple".equals(rewrite.outputKind())) {
            names.addAll(rewrite.outputNames());
        } else {
            for (int i = 0; i < outputs.size(); i++) {
                names.add(Integer.toString(i));
            }
        }
        return new ModelOutputs.Named(outputs, names, dict);
    }

    /**
     * The outputs of the model's own forward, named, with autograd or without. A forward whose result DJL cannot
     * read (a named tuple with None fields, e.g. torchvision's GoogLeNet scripted) runs through the prepared copy's
     * plain method, which calls the unchanged forward and returns its tensors as a list.
     */
    ModelOutputs.Named own(NDArray input, boolean withGrad) {
        requireNative();
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(withGrad);
        try {
            if (!ownUnreadable) {
                try {
                    return named(block.forward(new ParameterStore(input.getManager(), false), new NDList(input),
                            true));
                } catch (UnsupportedOperationException e) {
                    if (!prepared || rewrite.plainMethod() == null) {
                        throw new ModelException("The model's forward returns a value that DJL cannot read ("
                                + e.getMessage() + "), such as a named tuple with None entries (torchvision's "
                                + "GoogLeNet and Inception scripted). Export it traced, or wrap it so that forward "
                                + "returns the scores as one tensor.", e);
                    }
                    ownUnreadable = true;
                }
            }
            NDArray marker = HostArrays.scalar(input.getManager(), 0f);
            marker.setName("module_method:" + rewrite.plainMethod());
            NDList list = block.forward(new ParameterStore(input.getManager(), false), new NDList(input, marker),
                    true);
            List<NDArray> arrays = new ArrayList<>(list.subList(1, list.size()));
            return new ModelOutputs.Named(arrays, rewrite.outputNames(), false);
        } catch (ai.djl.engine.EngineException e) {
            throw LibtorchErrors.failed(input, e);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private volatile boolean ownUnreadable;

    /** The outputs of the model's own forward, named (a dict's values sorted by key, like the copy's). */
    ModelOutputs.Named named(NDList out) {
        List<NDArray> arrays = new ArrayList<>();
        List<String> names = new ArrayList<>();
        boolean dict = !out.isEmpty() && out.get(0).getName() != null && !out.get(0).getName().isEmpty();
        if (dict) {
            List<NDArray> sorted = new ArrayList<>(out);
            sorted.sort(java.util.Comparator.comparing(NDArray::getName));
            for (NDArray a : sorted) {
                arrays.add(a);
                names.add(a.getName());
            }
        } else {
            for (int i = 0; i < out.size(); i++) {
                arrays.add(out.get(i));
                names.add(Integer.toString(i));
            }
        }
        return new ModelOutputs.Named(arrays, names, dict);
    }

    /**
     * The model's forward with autograd, for the plain gradient methods: the model's own {@code forward}, never the
     * prepared copy, except for models whose forward has no derivative (attention fast path, see
     * {@link RewriteInfo#onlyCopyDifferentiable()}): those run through the copy after it was checked equal.
     */
    public NDArray forward(NDArray input, String output) {
        if (prepared && rewrite.onlyCopyDifferentiable()) {
            check.require(input.getShape().getShape(), TapProtocol.NONE, false);
            return runCopy(input, TapProtocol.NONE, false, false, output).output();
        }
        ModelOutputs.Named named = own(input, true);
        return named.arrays().get(ModelOutputs.select(named, output));
    }

    /** Whether the forward may return several tensors (a tuple, list, dict or named tuple; unknown: true). */
    public boolean severalOutputs() {
        return !"tensor".equals(rewrite.outputKind());
    }

    /** Which output is explained, for the heatmap's Info: null when the model has one output. */
    public String outputLabel(long[] inputShape, String output) {
        try (NDManager m = newManager()) {
            ModelOutputs.Named named = own(m.zeros(new ai.djl.ndarray.types.Shape(inputShape)), false);
            return ModelOutputs.label(named, ModelOutputs.select(named, output));
        }
    }

    /**
     * The model's own forward without autograd (for batches of perturbed inputs). BatchNorm stays in eval mode:
     * the call keeps DJL's training flag and only turns gradient recording off.
     */
    public NDArray forwardNoGrad(NDArray input, String output) {
        ModelOutputs.Named named = own(input, false);
        return named.arrays().get(ModelOutputs.select(named, output));
    }

    /** {@link #forwardNoGrad(NDArray, String)} of the default output. */
    public NDArray forwardNoGrad(NDArray input) {
        return forwardNoGrad(input, null);
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
     * shape, then kept in memory and beside the prepared copy for later sessions). Needs the prepared archive.
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
        String storeKey = "catalogue " + key;
        String stored = store.get(storeKey);
        // [output shape, then one row per module call]: recorded by an earlier session for this prepared copy and
        // input shape, else by one shape-recording forward now
        List<long[]> all = stored == null ? null : CatalogueRows.decode(stored);
        if (all == null) {
            all = recordShapes(inputShape);
            store.put(storeKey, CatalogueRows.encode(all));
        }
        LayerCatalogue c = LayerCatalogue.of(tree, all.subList(1, all.size()), all.get(0), inputShape);
        synchronized (catalogues) {
            catalogues.put(key, c);
        }
        return c;
    }

    private List<long[]> recordShapes(long[] inputShape) {
        lock.lock();
        try (NDManager m = newManager()) {
            NDArray x = m.zeros(new ai.djl.ndarray.types.Shape(inputShape));
            Tapped out = runCopy(x, TapProtocol.SHAPES, false, false, null);
            List<long[]> all = new ArrayList<>();
            all.add(out.output().getShape().getShape());
            for (TapProtocol.Record r : out.taps().of(TapProtocol.Kind.SHAPE)) {
                long[] row = new long[r.extra().length + 1];
                row[0] = r.module();
                System.arraycopy(r.extra(), 0, row, 1, r.extra().length);
                all.add(row);
            }
            return all;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The default layer for CAM methods for inputs of this shape, for the default output
     * ({@link DefaultCamLayer}).
     */
    public String defaultCamLayer(long[] inputShape) {
        return defaultCamLayer(inputShape, null);
    }

    /** The default layer for CAM methods for inputs of this shape and the given output ({@link DefaultCamLayer}). */
    public String defaultCamLayer(long[] inputShape, String output) {
        return defaultCamLayer.find(inputShape, output);
    }

    /**
     * The layout of a layer's output ({@link LayerLayout}): found from its shape and the input's unless given.
     * Null when the output is not a map of positions.
     */
    public LayerLayout layerLayout(String layer, long[] rawShape, long[] inputShape, LayerLayout.Kind requested,
                                   int prefixTokens) {
        LayerCatalogue c = prepared && tree != null ? catalogue(inputShape) : null;
        return LayerLayout.detect(rawShape, inputShape, requested, prefixTokens, c != null && c.hasChannelsLastLayers(),
                c == null ? null : c.hint(layer), layer);
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
     * Class names from a labels file beside the model ({@link ModelLabels#beside}); empty if none. They belong to
     * the file; a labels file given for one run is read by that run ({@link ModelLabels#read}).
     */
    public synchronized List<String> labels() {
        if (labels == null) {
            labels = ModelLabels.beside(source);
        }
        return labels;
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
     * autograd; its (first) output.
     */
    public NDArray runMethod(String method, NDArray input) {
        NDArray marker = HostArrays.scalar(input.getManager(), 0f);
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
        return LibtorchErrors.firstLine(message);
    }

    @Override
    /**
     * Closes the model: no new explanation can start; the native module is freed now, or when the last running
     * explanation closes its manager (another thread may still be explaining with this instance).
     */
    public void close() {
        boolean idle;
        synchronized (lock) {
            closed = true;
            idle = openManagers == 0;
        }
        if (idle) {
            free();
        }
    }
}
