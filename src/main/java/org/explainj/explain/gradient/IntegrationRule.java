package org.explainj.explain.gradient;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.explainj.explain.MethodException;

/** How Integrated Gradients places its steps on the path from the baseline (Captum's rules). */
public enum IntegrationRule {
    GAUSS_LEGENDRE("gausslegendre"), RIEMANN_RIGHT("riemann_right"), RIEMANN_LEFT("riemann_left"),
    RIEMANN_MIDDLE("riemann_middle"), RIEMANN_TRAPEZOID("riemann_trapezoid");

    private final String key;

    IntegrationRule(String key) {
        this.key = key;
    }

    /** The name in macros ({@code riemann_right}). */
    public String key() {
        return key;
    }

    /** The names in macros, in order. */
    public static List<String> keys() {
        List<String> k = new ArrayList<>();
        for (IntegrationRule r : values()) {
            k.add(r.key);
        }
        return k;
    }

    public static IntegrationRule parse(String name) {
        String k = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace("gauss_legendre", "gausslegendre");
        for (IntegrationRule r : values()) {
            if (r.key.equals(k)) {
                return r;
            }
        }
        throw new MethodException("Unknown integration rule \"" + name + "\". Use " + String.join(", ", keys()) + ".");
    }
}
