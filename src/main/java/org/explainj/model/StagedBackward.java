package org.explainj.model;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Back-propagation segment by segment through a prepared copy's stages ({@link TapProtocol.Kind#RELU} and
 * {@link TapProtocol.Kind#LAYER_STAGE} records): after the backward of the score reached the last stages' leaves,
 * each stage, in reverse order, maps its leaf's gradient to the gradient of the value before the cut (a ReLU rule
 * for ReLU stages, the identity for layer cuts) and back-propagates that down to the earlier stages. Every segment
 * is walked once, so the whole costs about one ordinary backward.
 */
public final class StagedBackward {

    /** What a ReLU stage passes down: the gradient at its input z, from z, t = relu(z) and t's gradient. */
    public interface Rule {
        NDArray upstream(NDArray z, NDArray t, NDArray gradT);
    }

    /** The plain gradient through a ReLU: gradT · [z > 0]. */
    public static final Rule VANILLA = (z, t, g) -> g.mul(z.gt(0));

    private StagedBackward() {
    }

    /** The stages among the records, in execution order. */
    public static List<TapProtocol.Record> stages(TapProtocol.Result taps) {
        List<TapProtocol.Record> out = new ArrayList<>();
        for (TapProtocol.Record r : taps.records()) {
            if (r.kind() == TapProtocol.Kind.RELU || r.kind() == TapProtocol.Kind.LAYER_STAGE) {
                out.add(r);
            }
        }
        return out;
    }

    /** Walks the stages from the last to the first (the score's backward must have run, keeping the graph). */
    public static void run(List<TapProtocol.Record> stages, Rule rule) {
        for (int k = stages.size() - 1; k >= 0; k--) {
            TapProtocol.Record st = stages.get(k);
            NDArray before = st.values().get(0);
            NDArray after = st.values().get(1);
            NDArray g = after.getGradient();
            NDArray upstream = st.kind() == TapProtocol.Kind.RELU ? rule.upstream(before, after, g) : g;
            // (DJL's hasGradient() is false for every non-leaf tensor, so it cannot tell whether the stage's input
            // depends on the image; a stage of something input-independent has no graph below it.)
            Autograd.backwardIfConnected(before, upstream);
        }
    }
}
