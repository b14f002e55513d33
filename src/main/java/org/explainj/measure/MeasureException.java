package org.explainj.measure;

import org.explainj.ExplainJException;

/** A heatmap or a region that cannot be measured; the message says which and what to do. */
public class MeasureException extends ExplainJException {

    public MeasureException(String message) {
        super(message);
    }
}
