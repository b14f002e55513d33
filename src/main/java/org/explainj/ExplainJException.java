package org.explainj;

/**
 * The one exception type users of ExplainJ see: its message names the problem and what to do about it.
 * Subclasses say which stage failed, so scripts can react to a kind of failure.
 */
public class ExplainJException extends RuntimeException {

    public ExplainJException(String message) {
        super(message);
    }

    public ExplainJException(String message, Throwable cause) {
        super(message, cause);
    }
}
