package org.explainj.model.script;

/**
 * One token of TorchScript's serialized source.
 *
 * @param kind         what it is
 * @param text         its source text (for {@link Kind#INDENT}, the new indentation as spaces)
 * @param line         1-based line of its first character
 * @param column       0-based column of its first character
 * @param newlineBefore whether a line break (inside brackets) precedes it: method headers put each parameter on a
 *                     line of its own, and the printer keeps that
 */
public record Token(Kind kind, String text, int line, int column, boolean newlineBefore) {

    /** Token kinds: Python's, as far as TorchScript's printer uses them. */
    public enum Kind { NAME, NUMBER, STRING, OP, NEWLINE, INDENT, DEDENT, END }

    boolean is(String op) {
        return (kind == Kind.OP || kind == Kind.NAME) && text.equals(op);
    }

    @Override
    public String toString() {
        return kind == Kind.NEWLINE ? "end of line" : kind == Kind.END ? "end of file"
                : kind == Kind.INDENT ? "indent" : kind == Kind.DEDENT ? "dedent" : "\"" + text + "\"";
    }
}
