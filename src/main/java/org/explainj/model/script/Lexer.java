package org.explainj.model.script;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits serialized TorchScript source into tokens, Python style: names, numbers, strings, operators, and at
 * bracket depth 0 the line structure (NEWLINE, INDENT, DEDENT). Line breaks inside brackets join lines.
 */
public final class Lexer {

    private static final String[] OPERATORS = {
        "**=", "//=", ">>=", "<<=", "...", "->", "**", "//", "==", "!=", "<=", ">=", "<<", ">>", "+=", "-=", "*=",
        "/=", "%=", "&=", "|=", "^=", "@=", "(", ")", "[", "]", "{", "}", ":", ",", ".", ";", "@", "=", "+", "-",
        "*", "/", "%", "<", ">", "&", "|", "^", "~"};

    private final String src;
    private final String[] lines;
    private final List<Token> tokens = new ArrayList<>();
    private final Deque<Integer> indents = new ArrayDeque<>();
    private int pos;
    private int line = 1;
    private int lineStart;
    private int depth;

    private Lexer(String src) {
        this.src = src;
        this.lines = src.split("\n", -1);
    }

    /** The tokens of a whole file, ending with {@link Token.Kind#END}. */
    public static List<Token> tokenize(String src) {
        Lexer l = new Lexer(src);
        l.run();
        return l.tokens;
    }

    private void run() {
        indents.push(0);
        boolean atLineStart = true;
        boolean newlineInBrackets = false;
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (atLineStart && depth == 0) {
                int indent = 0;
                while (pos + indent < src.length() && src.charAt(pos + indent) == ' ') {
                    indent++;
                }
                int after = pos + indent;
                if (after >= src.length() || src.charAt(after) == '\n' || src.charAt(after) == '#'
                        || src.charAt(after) == '\r') {
                    skipToLineEnd(after);
                    continue; // blank or comment line: no tokens
                }
                pos = after;
                atLineStart = false;
                if (indent > indents.peek()) {
                    indents.push(indent);
                    add(Token.Kind.INDENT, " ".repeat(indent), pos, false);
                } else {
                    while (indent < indents.peek()) {
                        indents.pop();
                        add(Token.Kind.DEDENT, "", pos, false);
                    }
                    if (indent != indents.peek()) {
                        throw error("indentation does not match any outer block", pos);
                    }
                }
                continue;
            }
            if (c == '\n') {
                if (depth == 0) {
                    add(Token.Kind.NEWLINE, "", pos, false);
                    atLineStart = true;
                } else {
                    newlineInBrackets = true;
                }
                newLine(pos + 1);
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
                continue;
            }
            if (c == '\\' && pos + 1 < src.length() && src.charAt(pos + 1) == '\n') {
                newLine(pos + 2); // explicit line joining
                continue;
            }
            if (c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
                continue;
            }
            boolean nl = newlineInBrackets;
            newlineInBrackets = false;
            if (c == '"' || c == '\'') {
                int end = endOfString(pos);
                add(Token.Kind.STRING, src.substring(pos, end), pos, nl);
                pos = end;
            } else if (Character.isDigit(c) || (c == '.' && pos + 1 < src.length()
                    && Character.isDigit(src.charAt(pos + 1)))) {
                int end = endOfNumber(pos);
                add(Token.Kind.NUMBER, src.substring(pos, end), pos, nl);
                pos = end;
            } else if (Character.isLetter(c) || c == '_') {
                int end = pos + 1;
                while (end < src.length() && (Character.isLetterOrDigit(src.charAt(end)) || src.charAt(end) == '_')) {
                    end++;
                }
                add(Token.Kind.NAME, src.substring(pos, end), pos, nl);
                pos = end;
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (src.startsWith(o, pos)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw error("unexpected character '" + c + "'", pos);
                }
                if (op.equals("(") || op.equals("[") || op.equals("{")) {
                    depth++;
                } else if (op.equals(")") || op.equals("]") || op.equals("}")) {
                    depth--;
                    if (depth < 0) {
                        throw error("unbalanced '" + op + "'", pos);
                    }
                }
                add(Token.Kind.OP, op, pos, nl);
                pos += op.length();
            }
        }
        if (depth != 0) {
            throw error("unclosed bracket at the end of the file", pos);
        }
        if (!atLineStart) {
            add(Token.Kind.NEWLINE, "", pos, false);
        }
        while (indents.peek() > 0) {
            indents.pop();
            add(Token.Kind.DEDENT, "", pos, false);
        }
        add(Token.Kind.END, "", pos, false);
    }

    private void skipToLineEnd(int from) {
        int end = src.indexOf('\n', from);
        if (end < 0) {
            pos = src.length();
        } else {
            newLine(end + 1);
        }
    }

    private void newLine(int next) {
        pos = next;
        line++;
        lineStart = next;
    }

    private int endOfString(int start) {
        char q = src.charAt(start);
        boolean triple = src.startsWith(String.valueOf(q).repeat(3), start);
        int i = start + (triple ? 3 : 1);
        while (i < src.length()) {
            char c = src.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (triple ? src.startsWith(String.valueOf(q).repeat(3), i) : c == q) {
                return i + (triple ? 3 : 1);
            }
            if (c == '\n' && !triple) {
                break;
            }
            i++;
        }
        throw error("unterminated string", start);
    }

    private int endOfNumber(int start) {
        int i = start;
        while (i < src.length()) {
            char c = src.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '.' || c == '_') {
                i++;
            } else if ((c == '-' || c == '+') && (src.charAt(i - 1) == 'e' || src.charAt(i - 1) == 'E')
                    && !src.substring(start, i).startsWith("0x")) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    private void add(Token.Kind kind, String text, int at, boolean newlineBefore) {
        tokens.add(new Token(kind, text, line, at - lineStart, newlineBefore));
    }

    private ScriptSyntaxException error(String message, int at) {
        return new ScriptSyntaxException(message, line, at - lineStart, line - 1 < lines.length ? lines[line - 1] : null);
    }
}
