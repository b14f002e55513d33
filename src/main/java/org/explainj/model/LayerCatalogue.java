package org.explainj.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every module of a model with its type and its output shape for one input shape (from one forward pass of the
 * prepared archive in its shape-recording mode), plus the default layer for CAM methods.
 */
public final class LayerCatalogue {

    /**
     * One module.
     *
     * @param path  dotted module path
     * @param type  class name, e.g. {@code Conv2d}
     * @param shape output shape of its last call, or null when it is not called or returns no single tensor
     * @param calls how many times the forward calls it
     */
    public record Layer(String path, String type, long[] shape, int calls) {
        /**
         * Whether the output has the rank of the model input ({@code inputRank}: 4 for N×C×H×W, 5 for N×C×D×H×W)
         * and more than one spatial position.
         */
        public boolean spatial(int inputRank) {
            if (shape == null || shape.length != inputRank || (inputRank != 4 && inputRank != 5)) {
                return false;
            }
            long positions = 1;
            for (int i = 2; i < shape.length; i++) {
                positions *= shape[i];
            }
            return positions > 1;
        }

        @Override
        public String toString() {
            return path + " (" + type + (shape == null ? "" : ", " + Arrays.toString(shape)) + ")";
        }
    }

    /** Pooling to a fixed output size belongs to a classification head, not to the features. */
    private static final Set<String> HEAD_POOLING = Set.of("AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
            "AdaptiveAvgPool1d", "AdaptiveMaxPool1d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d");

    private final List<Layer> layers;
    private final List<String> executionOrder;
    private final long[] outputShape;
    private final long[] inputShape;
    private final int inputRank;
    private final boolean channelsLast;

    LayerCatalogue(List<Layer> layers, List<String> executionOrder, long[] outputShape, long[] inputShape) {
        this.layers = Collections.unmodifiableList(layers);
        this.executionOrder = Collections.unmodifiableList(executionOrder);
        this.outputShape = outputShape;
        this.inputShape = inputShape.clone();
        this.inputRank = inputShape.length;
        boolean last = false;
        for (Layer l : layers) {
            LayerLayout layout = autoLayout(l, false);
            last |= layout != null && layout.kind() != LayerLayout.Kind.NCHW && !ambiguous(l);
        }
        this.channelsLast = last;
    }

    private LayerLayout autoLayout(Layer l, boolean channelsLastModel) {
        if (l.shape() == null) {
            return null;
        }
        try {
            return LayerLayout.detect(l.shape(), inputShape, null, -1, channelsLastModel, hint(l.path()),
                    l.path());
        } catch (LayerException ambiguous) {
            return null;
        }
    }

    /**
     * What a module's type says about its output's layout: Linear and LayerNorm act on the last axis (channels
     * last), convolutions, batch/instance/group norms, pooling and upsampling on the second (channels first). An
     * elementwise module (an activation, dropout, identity) keeps the layout of the module that ran just before it
     * with the same output shape. Null when nothing tells (containers, permutes, custom blocks).
     */
    public LayerLayout.Kind hint(String path) {
        Layer self = layer(path);
        if (self == null) {
            return null;
        }
        LayerLayout.Kind k = typeHint(self.type());
        if (k != null || !elementwise(self.type())) {
            return k;
        }
        for (int i = executionOrder.indexOf(path) - 1; i >= 0; i--) {
            Layer before = layer(executionOrder.get(i));
            if (!Arrays.equals(before.shape(), self.shape())) {
                continue;
            }
            k = typeHint(before.type());
            if (k != null || !elementwise(before.type())) {
                return k;
            }
        }
        return null;
    }

    private static boolean elementwise(String type) {
        for (String t : new String[] {"ReLU", "GELU", "SiLU", "Sigmoid", "Tanh", "Hardswish", "Hardsigmoid", "Mish",
            "ELU", "Softplus", "Dropout", "Identity", "StochasticDepth", "PReLU", "Hardtanh"}) {
            if (type.contains(t)) {
                return true;
            }
        }
        return false;
    }

    private static LayerLayout.Kind typeHint(String type) {
        if (type.equals("Linear") || type.equals("LayerNorm")) {
            return LayerLayout.Kind.NHWC;
        }
        if (type.startsWith("Conv") || type.startsWith("BatchNorm") || type.startsWith("InstanceNorm")
                || type.equals("GroupNorm") || type.contains("Pool") || type.startsWith("Upsample")
                || type.equals("PixelShuffle") || type.equals("LocalResponseNorm")) {
            return LayerLayout.Kind.NCHW;
        }
        return null;
    }

    /** Whether a layer's output fits the input both channels first and channels last. */
    private boolean ambiguous(Layer l) {
        long[] s = l.shape();
        return s != null && s.length == 4 && inputShape.length == 4
                && LayerLayout.fits(s[2], s[3], inputShape[2], inputShape[3])
                && LayerLayout.fits(s[1], s[2], inputShape[2], inputShape[3]);
    }

    /** Whether some layer is unambiguously channels last or a token sequence (a transformer). */
    public boolean hasChannelsLastLayers() {
        return channelsLast;
    }

    /**
     * The layout of a layer's output found from its shape (null when it is not a map of positions or the reading
     * is ambiguous; {@link LayerLayout#detect} says why).
     */
    public LayerLayout layout(String path) {
        Layer l = layer(path);
        return l == null ? null : autoLayout(l, channelsLast);
    }

    /** Whether a layer's output is a map with more than one position in some layout (channels first or not). */
    private boolean isMap(Layer l) {
        if (l.spatial(inputRank)) {
            return true;
        }
        LayerLayout layout = autoLayout(l, channelsLast);
        return layout != null && layout.kind() != LayerLayout.Kind.NCHW
                && (long) layout.height() * layout.width() > 1;
    }

    /** Builds the catalogue from the recorded {@code [id, *shape]} rows, in the order the modules returned. */
    static LayerCatalogue of(ModuleTree tree, List<long[]> rows, long[] outputShape, long[] inputShape) {
        Map<Integer, long[]> shapes = new LinkedHashMap<>();
        Map<Integer, Integer> calls = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        Map<Integer, ModuleTree.Node> byId = new LinkedHashMap<>();
        for (ModuleTree.Node n : tree.nodes()) {
            byId.put(n.id(), n);
        }
        for (long[] row : rows) {
            int id = (int) row[0];
            shapes.put(id, Arrays.copyOfRange(row, 1, row.length));
            calls.merge(id, 1, Integer::sum);
            ModuleTree.Node n = byId.get(id);
            if (n != null && !n.path().isEmpty()) {
                order.remove(n.path());
                order.add(n.path());
            }
        }
        List<Layer> layers = new ArrayList<>();
        for (ModuleTree.Node n : tree.nodes()) {
            if (!n.path().isEmpty()) {
                layers.add(new Layer(n.path(), n.type(), shapes.get(n.id()), calls.getOrDefault(n.id(), 0)));
            }
        }
        return new LayerCatalogue(layers, order, outputShape, inputShape);
    }

    /** All modules in pre-order (the order of {@code named_modules()}). */
    public List<Layer> layers() {
        return layers;
    }

    public Layer layer(String path) {
        for (Layer l : layers) {
            if (l.path().equals(path)) {
                return l;
            }
        }
        return null;
    }

    /**
     * The modules a CAM method can use, in module order: output of the input's rank (N×C×H×W for 2-D models,
     * N×C×D×H×W for 3-D ones) with more than one position, and for 2-D models also channels-last outputs and token
     * sequences that form the patch grid ({@link LayerLayout}).
     */
    public List<String> spatialLayers() {
        List<String> out = new ArrayList<>();
        for (Layer l : layers) {
            if (isMap(l)) {
                out.add(l.path());
            }
        }
        return out;
    }

    /** Module paths in the order their (last) call returned. */
    public List<String> executionOrder() {
        return executionOrder;
    }

    /**
     * The default layer for CAM methods: of the modules in the order their last call returned, the last one whose
     * output is a map of positions ({@link #spatialLayers()}), skipping adaptive pooling (a classification head's)
     * and, for models whose output is itself a map (segmentation), the modules that produce that output. For a
     * ResNet this is {@code layer4}, for a VGG {@code features}, for a U-Net its last decoder block, for a Swin
     * transformer its last stage. Null when no module qualifies. (For token layers, {@link #defaultCandidates()}
     * lists the earlier ones too: the last token layers of a ViT feed only its class token.)
     */
    public String defaultCamLayer() {
        List<String> c = defaultCandidates();
        return c.isEmpty() ? null : c.get(0);
    }

    /** The layers {@link #defaultCamLayer()} considers, the preferred first. */
    public List<String> defaultCandidates() {
        int end = executionOrder.size();
        if (outputShape != null && outputShape.length >= 4) {
            // drop the trailing modules whose output is the model output (the segmentation head and its parents)
            while (end > 0 && Arrays.equals(shapeOf(executionOrder.get(end - 1)), outputShape)) {
                end--;
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = end - 1; i >= 0; i--) {
            Layer l = layer(executionOrder.get(i));
            if (isMap(l) && !HEAD_POOLING.contains(l.type())) {
                out.add(l.path());
            }
        }
        return out;
    }

    private long[] shapeOf(String path) {
        Layer l = layer(path);
        return l == null ? null : l.shape();
    }
}
