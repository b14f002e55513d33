package org.explainj.model;

import org.explainj.ExplainJException;

/** A model file that cannot be read, loaded, rewritten or run. */
public class ModelException extends ExplainJException {

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
