package org.explainj.explain;

import java.util.LinkedHashMap;
import java.util.Map;
import org.explainj.model.LayerLayout;

/**
 * The values of the method options ({@link Options}) for one run, and where progress goes. Immutable: {@link #with}
 * gives a copy with one value changed.
 */
public final class ExplainOptions {

    private final Map<Option<?>, Object> values;
    private final Progress progress;

    private ExplainOptions(Map<Option<?>, Object> values, Progress progress) {
        this.values = values;
        this.progress = progress;
    }

    /** Every option at its default. */
    public static ExplainOptions defaults() {
        Map<Option<?>, Object> v = new LinkedHashMap<>();
        for (Option<?> o : Options.ALL) {
            v.put(o, o.defaultValue());
        }
        return new ExplainOptions(v, Progress.NONE);
    }

    /** The value of an option. */
    public <T> T get(Option<T> option) {
        if (!values.containsKey(option)) {
            throw new IllegalArgumentException(option + " is not a method option");
        }
        return option.type().cast(values.get(option));
    }

    /** A copy with one option changed (checked against its choices and minimum). */
    public <T> ExplainOptions with(Option<T> option, T value) {
        if (!values.containsKey(option)) {
            throw new IllegalArgumentException(option + " is not a method option");
        }
        Map<Option<?>, Object> v = new LinkedHashMap<>(values);
        v.put(option, value == null ? option.defaultValue() : option.check(value));
        return new ExplainOptions(v, progress);
    }

    public ExplainOptions withProgress(Progress p) {
        return new ExplainOptions(values, p == null ? Progress.NONE : p);
    }

    public Progress progress() {
        return progress;
    }

    // ----------------------------------------------------------------- typed readings of some options

    /** The layer, or null for the default layer. */
    public String layer() {
        String l = get(Options.LAYER);
        return l == null || l.isBlank() || l.trim().equals(Options.AUTOMATIC) ? null : l.trim();
    }

    /** The layout asked for, or null for automatic. */
    public LayerLayout.Kind layout() {
        return LayerLayout.Kind.parse(get(Options.LAYOUT));
    }

    /** The prefix tokens asked for, or -1 for automatic. */
    public int prefixTokens() {
        String p = get(Options.PREFIX_TOKENS);
        if (p == null || p.isBlank() || p.trim().equalsIgnoreCase("auto")) {
            return -1;
        }
        try {
            int n = Integer.parseInt(p.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new org.explainj.tensor.InputException("prefix_tokens must be a number of tokens (0 or more) or blank, "
                + "got \"" + p.trim() + "\".");
    }

    /** Whether CAM methods apply the final ReLU. */
    public boolean relu() {
        return !get(Options.NO_RELU);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
