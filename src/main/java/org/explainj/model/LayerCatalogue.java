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
    private final int inputRank;

    LayerCatalogue(List<Layer> layers, List<String> executionOrder, long[] outputShape, int inputRank) {
        this.layers = Collections.unmodifiableList(layers);
        this.executionOrder = Collections.unmodifiableList(executionOrder);
        this.outputShape = outputShape;
        this.inputRank = inputRank;
    }

    /** Builds the catalogue from the recorded {@code [id, *shape]} rows, in the order the modules returned. */
    static LayerCatalogue of(ModuleTree tree, List<long[]> rows, long[] outputShape, int inputRank) {
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
        return new LayerCatalogue(layers, order, outputShape, inputRank);
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
     * N×C×D×H×W for 3-D ones) with more than one position.
     */
    public List<String> spatialLayers() {
        List<String> out = new ArrayList<>();
        for (Layer l : layers) {
            if (l.spatial(inputRank)) {
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
     * output has the input's rank (N×C×H×W, or N×C×D×H×W for 3-D models) and more than one position, skipping adaptive pooling (a classification head's) and, for models whose
     * output is itself a map (segmentation), the modules that produce that output. For a ResNet this is
     * {@code layer4}, for a VGG {@code features}, for a U-Net its last decoder block. Null when no module
     * qualifies.
     */
    public String defaultCamLayer() {
        int end = executionOrder.size();
        if (outputShape != null && outputShape.length >= 4) {
            // drop the trailing modules whose output is the model output (the segmentation head and its parents)
            while (end > 0 && Arrays.equals(shapeOf(executionOrder.get(end - 1)), outputShape)) {
                end--;
            }
        }
        for (int i = end - 1; i >= 0; i--) {
            Layer l = layer(executionOrder.get(i));
            if (l.spatial(inputRank) && !HEAD_POOLING.contains(l.type())) {
                return l.path();
            }
        }
        return null;
    }

    private long[] shapeOf(String path) {
        Layer l = layer(path);
        return l == null ? null : l.shape();
    }
}
