package org.explainj.explain;

import org.explainj.ExplainJException;

/** An unknown or unusable method, target or method option. */
public class MethodException extends ExplainJException {

    public MethodException(String message) {
        super(message);
    }
}
