package org.explainj.ij;

import ij.Macro;
import ij.gui.GenericDialog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.explainj.explain.Option;
import org.explainj.explain.OptionException;

/**
 * Dialog fields that a macro fills safely. ImageJ reads a macro's value for a numeric field itself and, when it is
 * not a number, opens the modal "Macro Error" dialog (a batch macro then waits forever); here a macro's numbers are
 * read as text and checked by ExplainJ, which refuses a bad value with a message. Keys a command does not know are
 * refused too (ImageJ would ignore a misspelt key and run with the default).
 */
final class DialogFields {

    private DialogFields() {
    }

    private static boolean macro() {
        return Macro.getOptions() != null;
    }

    /** A number field (a text field when a macro gives the values). */
    static void number(GenericDialog gd, String label, double value, int digits) {
        if (macro()) {
            gd.addStringField(label, Option.format(value));
        } else {
            gd.addNumericField(label, value, digits);
        }
    }

    /** The next number field's value as text (to be parsed and checked by the option it belongs to). */
    static String nextNumber(GenericDialog gd) {
        if (macro()) {
            return gd.getNextString().trim();
        }
        double v = gd.getNextNumber();
        if (gd.invalidNumber()) {
            throw new OptionException("A number in the dialog is not valid: type a number.");
        }
        return Option.format(v);
    }

    /** The keys of a macro's options string ({@code key=value key=[a b] flag}), in order, with their values. */
    static Map<String, String> keys(String options) {
        Map<String, String> keys = new LinkedHashMap<>();
        int i = 0;
        int n = options.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(options.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && options.charAt(i) != '=' && !Character.isWhitespace(options.charAt(i))) {
                i++;
            }
            if (i == start) {
                break;
            }
            String key = options.substring(start, i);
            String value = "";
            if (i < n && options.charAt(i) == '=') {
                i++;
                if (i < n && options.charAt(i) == '[') {
                    int close = options.indexOf(']', i + 1);
                    close = close < 0 ? n : close;
                    value = options.substring(i + 1, close);
                    i = Math.min(n, close + 1);
                } else {
                    int v = i;
                    while (i < n && !Character.isWhitespace(options.charAt(i))) {
                        i++;
                    }
                    value = options.substring(v, i);
                }
            }
            keys.put(key, value);
        }
        return keys;
    }

    /**
     * Refuses a macro's keys that {@code command} does not know, naming them and the known ones (nothing happens
     * outside a macro).
     */
    static void refuseUnknownKeys(String command, Collection<String> known) {
        String options = Macro.getOptions();
        if (options == null) {
            return;
        }
        List<String> unknown = new ArrayList<>();
        for (String key : keys(options).keySet()) {
            if (!known.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new OptionException(command + " does not know the key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + " (misspelt?); nothing was computed. Its keys: "
                    + String.join(", ", known) + ".");
        }
    }

    /** The macro keys of options (their keys as ImageJ reads them from the dialog labels). */
    static List<String> keysOf(Collection<? extends Option<?>> options) {
        List<String> keys = new ArrayList<>();
        for (Option<?> o : options) {
            keys.add(o.key());
        }
        return keys;
    }
}
