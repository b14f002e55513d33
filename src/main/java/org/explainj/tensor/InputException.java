package org.explainj.tensor;

import org.explainj.ExplainJException;

/** An image or input option that cannot be turned into the model's input. */
public class InputException extends ExplainJException {

    public InputException(String message) {
        super(message);
    }
}
