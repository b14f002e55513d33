package org.explainj.evaluate;

import org.explainj.ExplainJException;

/** An evaluation that cannot be made as asked; the message says why and what to do. */
public class EvaluationException extends ExplainJException {

    public EvaluationException(String message) {
        super(message);
    }
}
