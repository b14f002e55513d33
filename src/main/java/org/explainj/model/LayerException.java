package org.explainj.model;

import org.explainj.ExplainJException;

/** A layer that does not exist in the model, or that a method cannot use. */
public class LayerException extends ExplainJException {

    public LayerException(String message) {
        super(message);
    }
}
