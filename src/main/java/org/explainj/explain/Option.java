package org.explainj.explain;

import java.util.List;
import java.util.Locale;

/**
 * One key of an explanation, defined once: its macro key, type, default, allowed values and a one-line doc. The
 * SciJava command's inputs, the ImageJ dialogs and macro parsing, the command-line batch and the README's key table
 * all come from these definitions ({@link Keys}); a test checks them against each other.
 *
 * @param key          the macro key and command-line option ({@code batch_size})
 * @param type         String, Boolean, Integer, Long, Double or {@link java.io.File}
 * @param defaultValue the default (null: none, e.g. blank for "found automatically")
 * @param choices      the allowed values of a String option (empty: any text)
 * @param min          the least allowed number (numeric options), or null
 * @param max          the largest allowed number (numeric options), or null
 * @param doc          one line for the dialog's tooltip, the command's description and the README
 * @param section      where it appears (and in which dialog)
 */
public record Option<T>(String key, Class<T> type, T defaultValue, List<String> choices, Double min, Double max,
                        String doc, Section section) {

    /** Where a key appears: the main dialog's groups, or the second dialog of the methods that use it. */
    public enum Section { MODEL, LAYER, TARGET, INPUT, DISPLAY, METHOD }

    public Option {
        choices = List.copyOf(choices);
    }

    public static <T> Option<T> of(String key, Class<T> type, T dflt, Section section, String doc) {
        return new Option<>(key, type, dflt, List.of(), null, null, doc, section);
    }

    public static Option<String> choice(String key, String dflt, List<String> choices, Section section, String doc) {
        return new Option<>(key, String.class, dflt, choices, null, null, doc, section);
    }

    public static <T extends Number> Option<T> number(String key, Class<T> type, T dflt, Double min, Section section,
                                               String doc) {
        return new Option<>(key, type, dflt, List.of(), min, null, doc, section);
    }

    /** A number between {@code min} and {@code max} (the work a value asks for grows with it). */
    public static <T extends Number> Option<T> number(String key, Class<T> type, T dflt, double min, double max,
                                               Section section, String doc) {
        return new Option<>(key, type, dflt, List.of(), min, max, doc, section);
    }

    /** How some words are written in labels. */
    private static final java.util.Map<String, String> ACRONYMS = java.util.Map.of("lut", "LUT", "cam", "CAM",
            "relu", "ReLU");

    /**
     * The label of the ImageJ dialog field; ImageJ derives the macro key from it by lower-casing ({@code Batch_size},
     * {@code LUT}).
     */
    public String dialogLabel() {
        StringBuilder label = new StringBuilder();
        for (String word : key.split("_", -1)) {
            String w = ACRONYMS.getOrDefault(word, word);
            if (label.length() == 0) {
                w = w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1);
            }
            label.append(label.length() == 0 ? "" : "_").append(w);
        }
        return label.toString();
    }

    /** The SciJava label ({@code Batch size}). */
    public String label() {
        return dialogLabel().replace('_', ' ');
    }

    /** Whether it is a flag (a checkbox, a macro key without value). */
    public boolean isFlag() {
        return type == Boolean.class;
    }

    /**
     * Reads a value written in a macro or on the command line, with a message naming the key when it does not fit.
     * Blank text gives the default for text and number options.
     */
    public T parse(String text) {
        String t = text == null ? "" : text.trim();
        try {
            Object v;
            if (type == Boolean.class) {
                v = parseFlag(t);
            } else if (type == Integer.class) {
                v = t.isEmpty() ? defaultValue : Integer.valueOf(stripDecimals(t));
            } else if (type == Long.class) {
                v = t.isEmpty() ? defaultValue : Long.valueOf(stripDecimals(t));
            } else if (type == Double.class) {
                v = t.isEmpty() ? defaultValue : Double.valueOf(t);
            } else if (type == java.io.File.class) {
                v = t.isEmpty() ? null : new java.io.File(t);
            } else {
                v = t;
            }
            return check(type.cast(v));
        } catch (NumberFormatException e) {
            throw new OptionException(key + "=" + text + " is not a valid " + typeName() + ". " + doc);
        }
    }

    private static String stripDecimals(String t) {
        return t.matches("-?\\d+\\.0*") ? t.substring(0, t.indexOf('.')) : t;
    }

    private Boolean parseFlag(String t) {
        switch (t.toLowerCase(Locale.ROOT)) {
            case "", "true", "yes", "on", "1":
                return Boolean.TRUE;
            case "false", "no", "off", "0":
                return Boolean.FALSE;
            default:
                throw new OptionException(key + "=" + t + " is not a flag: use true or false (a macro "
                        + "gives the key alone for true). " + doc);
        }
    }

    /** Checks a value against the choices and the minimum; returns it. */
    public T check(T value) {
        if (value instanceof String s && !choices.isEmpty()) {
            for (String c : choices) {
                if (c.equalsIgnoreCase(s.trim())) {
                    return type.cast(c);
                }
            }
            throw new OptionException(key + "=" + s + " is not one of " + String.join(", ", choices)
                    + ". " + doc);
        }
        if (value instanceof Double d && !Double.isFinite(d)) {
            throw new OptionException(key + "=" + d + " is not a finite number. " + doc);
        }
        if (value instanceof Number n && min != null && n.doubleValue() < min) {
            throw new OptionException(key + "=" + n + " is below the least allowed value, "
                    + format(min) + ". " + doc);
        }
        if (value instanceof Number n && max != null && n.doubleValue() > max) {
            throw new OptionException(key + "=" + n + " is above the largest allowed value, "
                    + format(max) + ". " + doc);
        }
        return value;
    }

    /** The type in words, for messages and the README. */
    public String typeName() {
        if (type == Boolean.class) {
            return "flag";
        }
        if (type == Integer.class || type == Long.class) {
            return "whole number";
        }
        if (type == Double.class) {
            return "number";
        }
        if (type == java.io.File.class) {
            return "path";
        }
        return choices.isEmpty() ? "text" : "choice";
    }

    /** A value as text (a macro or the README would write it). */
    public static String format(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(v);
    }

    @Override
    public String toString() {
        return key;
    }
}
