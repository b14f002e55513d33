package org.explainj.bioimage;

import java.util.ArrayList;
import java.util.List;

/**
 * An input or output tensor of a package: its id, axes, processing steps, test tensor file (with its sha256 when
 * the format has one) and data type ({@code float32}, ...; null when not given).
 */
public record TensorDescription(String id, List<Axis> axes, List<ProcessingStep> processing, String testSource,
                                String testSha256, String dataType) {

    public TensorDescription {
        axes = List.copyOf(axes);
        processing = List.copyOf(processing);
    }

    /** The axis ids in order ({@code [batch, channel, y, x]}). */
    public List<String> axisIds() {
        List<String> ids = new ArrayList<>();
        axes.forEach(a -> ids.add(a.id()));
        return ids;
    }

    /** The axes as text, {@code batch, channel, y, x}. */
    public String axesText() {
        return String.join(", ", axisIds());
    }

    /** The channel axis, or null. */
    public Axis channelAxis() {
        for (Axis a : axes) {
            if ("channel".equals(a.type())) {
                return a;
            }
        }
        return null;
    }
}
