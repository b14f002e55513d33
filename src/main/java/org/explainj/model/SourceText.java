package org.explainj.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Bracket and string aware scanning of the serialized TorchScript source: one walk that skips string literals and
 * tracks the bracket depth, used for statements that span lines, call arguments and parameter lists.
 */
final class SourceText {

    /** Receives each character outside string literals with the bracket depth before it; false stops the walk. */
    private interface Visitor {
        boolean visit(int index, char c, int depth);
    }

    private SourceText() {
    }

    /** Walks {@code s} from {@code from}; returns the final bracket depth. */
    private static int walk(String s, int from, Visitor visitor) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfString(s, i) - 1;
                continue;
            }
            if (!visitor.visit(i, c, depth)) {
                return depth;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            }
        }
        return depth;
    }

    /** The index just after the string literal starting at {@code start} (its quote). */
    static int endOfString(String s, int start) {
        char q = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == q) {
                return i + 1;
            }
        }
        return s.length();
    }

    /** Opening minus closing brackets (outside strings). */
    static int bracketDelta(String s) {
        return walk(s, 0, (i, c, d) -> true);
    }

    /** Index of the bracket closing the one at {@code open}; -1 if none. */
    static int matchingParen(String s, int open) {
        int[] found = {-1};
        walk(s, open, (i, c, d) -> {
            if ((c == ')' || c == ']' || c == '}') && d == 1) {
                found[0] = i;
                return false;
            }
            return true;
        });
        return found[0];
    }

    /** Indexes of the commas at bracket depth 0. */
    private static List<Integer> topLevelCommas(String s) {
        List<Integer> commas = new ArrayList<>();
        walk(s, 0, (i, c, d) -> {
            if (c == ',' && d == 0) {
                commas.add(i);
            }
            return true;
        });
        return commas;
    }

    /** The first comma at bracket depth 0, or -1. */
    static int indexOfTopLevelComma(String s) {
        List<Integer> commas = topLevelCommas(s);
        return commas.isEmpty() ? -1 : commas.get(0);
    }

    /** Splits at top-level commas; drops a trailing empty piece ({@code "a, b, "} gives two). */
    static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        for (int comma : topLevelCommas(s)) {
            parts.add(s.substring(from, comma));
            from = comma + 1;
        }
        if (!s.substring(from).isBlank()) {
            parts.add(s.substring(from));
        }
        return parts;
    }
}
