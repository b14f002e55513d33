package org.explainj.explain;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Values of the keys of Explain Image ({@link Keys}), each at its default until set: what a dialog, a macro, the
 * command line or a script asks for. Immutable.
 */
public final class Values {

    private final Map<Option<?>, Object> values;

    private Values(Map<Option<?>, Object> values) {
        this.values = values;
    }

    /** Every key at its default. */
    public static Values defaults() {
        Map<Option<?>, Object> v = new LinkedHashMap<>();
        for (Option<?> o : Keys.ALL) {
            v.put(o, o.defaultValue());
        }
        return new Values(v);
    }

    /** Keys and values as written in a macro or on the command line; an unknown key is named with the valid ones. */
    public static Values parse(Map<String, String> keys) {
        Values v = defaults();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            v = v.parse(e.getKey(), e.getValue());
        }
        return v;
    }

    /** A copy with one key read from text. */
    public Values parse(String key, String text) {
        Option<?> o = Keys.named(key);
        if (o == null) {
            StringBuilder known = new StringBuilder();
            for (Option<?> k : Keys.ALL) {
                known.append(known.length() == 0 ? "" : ", ").append(k.key());
            }
            throw new OptionException("Unknown key \"" + key + "\". The keys of Explain Image are: "
                    + known + ".");
        }
        return set(o, o.parse(text));
    }

    /** A copy with one key set (checked against its choices and minimum). */
    public <T> Values with(Option<T> option, T value) {
        return set(option, value == null ? option.defaultValue() : option.check(value));
    }

    private Values set(Option<?> option, Object value) {
        Map<Option<?>, Object> v = new LinkedHashMap<>(values);
        v.put(option, value);
        return new Values(v);
    }

    public <T> T get(Option<T> option) {
        return option.type().cast(values.get(option));
    }

    /** The method options among them. */
    public ExplainOptions methodOptions() {
        ExplainOptions o = ExplainOptions.defaults();
        for (Option<?> option : Options.ALL) {
            o = copy(o, option);
        }
        return o;
    }

    private <T> ExplainOptions copy(ExplainOptions o, Option<T> option) {
        return o.with(option, get(option));
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
