package org.explainj.explain;

import org.explainj.ExplainJException;

/** An unknown key, or a value that its option does not accept (wrong type, not a choice, out of range). */
public class OptionException extends ExplainJException {

    public OptionException(String message) {
        super(message);
    }
}
