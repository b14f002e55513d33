package org.explainj.tensor;

import java.util.Locale;

/** How pixel values become model input values, before the optional mean/std normalisation. */
public enum Scaling {
    /** Values pass unchanged (a 32-bit image that is already normalised stays bit-identical). */
    NONE("none"),
    /** Divide by the pixel type's maximum: 255 for 8-bit and RGB, 65535 for 16-bit; 32-bit is left unchanged. */
    TYPE("type"),
    /** Per image and channel, (v − min)/(max − min); a constant channel becomes 0. */
    MINMAX("minmax");

    private final String key;

    Scaling(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    public static Scaling parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (Scaling sc : values()) {
            if (sc.key.equals(k)) {
                return sc;
            }
        }
        throw new InputException("Unknown scale \"" + s + "\". Use one of: none, type, minmax.");
    }
}
