package org.explainj.model.script;

/** Serialized TorchScript source that the parser does not understand, with the place. */
public final class ScriptSyntaxException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ScriptSyntaxException(String message, int line, int column, String sourceLine) {
        super(message + " at line " + line + ", column " + (column + 1)
                + (sourceLine == null ? "" : ": " + sourceLine.strip()));
    }
}
