package org.explainj.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Finds the layer CAM methods explain when the user names none, per input shape and output (cached).
 */
final class DefaultCamLayer {

    private final TorchScriptModel model;

    DefaultCamLayer(TorchScriptModel model) {
        this.model = model;
    }

    /**
     * The default layer for CAM methods for inputs of this shape and the given output ({@link ModelOutputs}; null
     * for the default): {@link LayerCatalogue#defaultCamLayer()}, except where gradient must be seen to reach the
     * layer: for a token layer (a vision transformer: after the last attention only the class token reaches the
     * head, so the later token layers give empty maps), the last one whose patch tokens receive gradient; for a
     * model with several outputs, the last layer that the explained output depends on (a segmentation model's
     * auxiliary head feeds another output).
     */
    String find(long[] inputShape, String output) {
        LayerCatalogue c = model.catalogue(inputShape);
        List<String> candidates = c.defaultCandidates();
        if (candidates.isEmpty()) {
            return null;
        }
        LayerLayout first = c.layout(candidates.get(0));
        boolean tokens = first != null && first.kind() == LayerLayout.Kind.TOKENS;
        String kind = model.rewriteInfo().outputKind();
        boolean severalOutputs = kind != null && !"tensor".equals(kind);
        if (!tokens && !severalOutputs) {
            return candidates.get(0);
        }
        Set<String> reached = gradientReach(inputShape, c, output);
        for (String candidate : candidates) {
            if (reached.contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private final Map<String, Set<String>> reach = new HashMap<>();

    /**
     * The layers whose output receives gradient from the explained output (for token layers: on their patch
     * tokens, not the prefix tokens), for inputs of this shape: one forward that cuts every module's output and one
     * staged backward, on a probe input.
     */
    private Set<String> gradientReach(long[] inputShape, LayerCatalogue c, String output) {
        String key = java.util.Arrays.toString(inputShape) + " " + output;
        synchronized (reach) {
            if (reach.containsKey(key)) {
                return reach.get(key);
            }
        }
        Set<String> reached = new HashSet<>();
        model.lock().lock();
        try (NDManager m = model.newManager(); GradScope g = GradScope.open()) {
            float[] probe = new float[(int) new Shape(inputShape).size()];
            SplittableRandom r = new SplittableRandom(0x5EED0001L);
            for (int i = 0; i < probe.length; i++) {
                probe[i] = (float) r.nextDouble();
            }
            NDArray x = HostArrays.floats(m, probe, new Shape(inputShape));
            TorchScriptModel.Tapped t = model.runCopy(x, TapProtocol.ALL_MODULES, true, false, output);
            NDArray score = t.output().sum();
            Autograd.backward(score, m.ones(score.getShape()), true);
            List<TapProtocol.Record> stages = StagedBackward.stages(t.taps());
            StagedBackward.run(stages, StagedBackward.VANILLA);
            Map<Integer, String> paths = new HashMap<>();
            model.tree().nodes().forEach(n -> paths.put(n.id(), n.path()));
            for (TapProtocol.Record st : stages) {
                String path = st.kind() == TapProtocol.Kind.LAYER_STAGE ? paths.get(st.module()) : null;
                if (path == null) {
                    continue;
                }
                LayerLayout l = c.layout(path);
                NDArray grad = st.values().get(1).getGradient();
                if (l != null && l.kind() == LayerLayout.Kind.TOKENS) {
                    long tokens = l.sequenceFirst() ? grad.getShape().get(0) : grad.getShape().get(1);
                    grad = l.sequenceFirst() ? grad.get(l.prefixTokens() + ":" + tokens)
                            : grad.get(":, " + l.prefixTokens() + ":" + tokens);
                }
                if (grad.abs().sum().getFloat() > 0) {
                    reached.add(path);
                }
            }
        } finally {
            model.lock().unlock();
        }
        synchronized (reach) {
            reach.put(key, reached);
        }
        return reached;
    }
}
