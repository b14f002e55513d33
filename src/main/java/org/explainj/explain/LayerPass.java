package org.explainj.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.explainj.model.LayerException;
import org.explainj.model.LayerLayout;
import org.explainj.model.TapProtocol;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/** A layer's activation and its gradient for the target score: the building block of the CAM methods. */
public final class LayerPass {

    /**
     * A and dY/dA (batch dropped, C-order), channels first ([1, C, h, w] in {@code shape}) whatever the layer's own
     * layout ({@code layout}: channels first, channels last or tokens, see {@link LayerLayout}).
     */
    public record Result(float[] activations, float[] gradients, long[] shape, int targetClass, float[] scores,
                         LayerLayout layout) {
        /** As recorded: {@code shape} is the layer's own; {@link #inLayout} reads it channels first. */
        public Result(float[] activations, float[] gradients, long[] shape, int targetClass, float[] scores) {
            this(activations, gradients, shape, targetClass, scores, null);
        }

        /** This result read channels first with the given layout (from the layer's raw shape). */
        public Result inLayout(LayerLayout l) {
            if (l == null || l.kind() == LayerLayout.Kind.NCHW) {
                return new Result(activations, gradients, shape, targetClass, scores,
                        l == null ? LayerLayout.CHANNELS_FIRST : l);
            }
            return new Result(l.toChannelsFirst(activations, shape), gradients == null ? null
                    : l.toChannelsFirst(gradients, shape), l.channelsFirst(shape), targetClass, scores, l);
        }
    }

    /** The attention probabilities a forward recorded, in execution order, with the target and scores. */
    public record Attention(List<Probabilities> layers, int targetClass, float[] scores) {
        /** One softmax output: its shape and values. */
        public record Probabilities(long[] shape, float[] values) {
        }
    }

    /**
     * The softmax outputs over tokens (last two axes equal) of one forward through the prepared copy: the
     * attention probabilities of a transformer.
     */
    public static Attention attention(TorchScriptModel model, ModelInput input, Target target) {
        try (ModelPass pass = ModelPass.runRecordingAttention(model, input, target)) {
            List<Attention.Probabilities> layers = new ArrayList<>();
            for (TapProtocol.Record r : pass.taps().of(TapProtocol.Kind.ATTENTION)) {
                NDArray p = r.values().get(0);
                long[] s = p.getShape().getShape();
                if (s.length >= 3 && s[s.length - 1] == s[s.length - 2]) {
                    layers.add(new Attention.Probabilities(s, p.toFloatArray()));
                }
            }
            return new Attention(layers, pass.targetClass(), pass.scores());
        }
    }

    private LayerPass() {
    }

    public static Result activationAndGradient(TorchScriptModel model, ModelInput input, Target target,
                                               String layer) {
        return activationAndGradient(model, input, target, layer, true);
    }

    /** As above; without {@code withGradient} only A is read (no backward) and the gradients are null. */
    public static Result activationAndGradient(TorchScriptModel model, ModelInput input, Target target,
                                               String layer, boolean withGradient) {
        return read(model, input, target, layer, withGradient, (a, g, pass) -> new Result(a.toFloatArray(),
                g == null ? null : g.toFloatArray(), a.getShape().getShape(), pass.targetClass(), pass.scores()));
    }

    /**
     * A layer's A and dY/dA as native arrays, in the layer's own layout (batch included), owned by the caller's
     * manager: the pass (its graph and every other array) is freed before this returns, and nothing is copied to
     * Java. {@code gradients} is null without {@code withGradient}.
     */
    public record Native(NDArray activations, NDArray gradients, int targetClass, float[] scores) {
        /** The layer's own output shape. */
        public long[] shape() {
            return activations.getShape().getShape();
        }
    }

    /** {@link #activationAndGradient} kept in libtorch: the arrays are attached to {@code into}. */
    public static Native activationAndGradient(TorchScriptModel model, ModelInput input, Target target, String layer,
                                               boolean withGradient, NDManager into) {
        return read(model, input, target, layer, withGradient, (a, g, pass) -> {
            NDArray values = a.stopGradient();
            values.attach(into);
            if (g != null) {
                g.attach(into);
            }
            return new Native(values, g, pass.targetClass(), pass.scores());
        });
    }

    private interface Reader<T> {
        T read(NDArray activation, NDArray gradient, ModelPass pass);
    }

    private static <T> T read(TorchScriptModel model, ModelInput input, Target target, String layer,
                              boolean withGradient, Reader<T> reader) {
        boolean split = model.usesPreparedMethods(layer);
        try (ModelPass pass = split ? ModelPass.runPrepared(model, input, target)
                : ModelPass.run(model, input, target, layer, false, false)) {
            NDArray a = pass.layerActivation(layer);
            if (!withGradient) {
                return reader.read(a, null, pass);
            }
            if (!pass.backwardTargetIfConnected(false)) {
                throw new LayerException("The explained output does not depend on the layer " + layer + ": no "
                        + "gradient reaches it (it feeds another output, or nothing). Choose a layer on the path to "
                        + "the output" + (target.output() == null ? ", or the output it feeds with output=KEY" : "")
                        + ".");
            }
            return reader.read(a, a.getGradient(), pass);
        }
    }

    /** The given layer, or the model's default layer for layer methods. */
    public static String layerOrDefault(TorchScriptModel model, ModelInput input, Target target, String layer,
                                        Method method) {
        if (layer != null && !layer.isBlank()) {
            return layer.trim();
        }
        if (model.usesPreparedMethods(null)) {
            return TorchScriptModel.PREPARED_FEATURES;
        }
        String d = model.defaultCamLayer(input.shape(), target.output());
        if (d == null) {
            throw new LayerException(method + " needs a layer and none could be chosen automatically for "
                    + model.source().getFileName() + ". Give one, e.g. layer=layer4. Layers: "
                    + String.join(", ", model.layerPaths().subList(0, Math.min(12, model.layerPaths().size())))
                    + (model.layerPaths().size() > 12 ? "..." : ""));
        }
        return d;
    }
}
