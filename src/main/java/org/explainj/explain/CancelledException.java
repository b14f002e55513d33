package org.explainj.explain;

import org.explainj.ExplainJException;

/** The user stopped the explanation (Esc in ImageJ); nothing was written. */
public class CancelledException extends ExplainJException {

    public CancelledException() {
        super("Cancelled: the explanation was stopped before it finished; no output was written.");
    }
}
