package org.explainj.render;

import ij.plugin.LutLoader;
import ij.process.LUT;
import java.awt.image.IndexColorModel;
import java.util.List;
import java.util.Locale;
import org.explainj.ExplainJException;

/**
 * The lookup tables offered for heatmaps: Auto (Fire for maps without negative values, Diverging for signed maps),
 * Fire (ImageJ's), Diverging (blue–white–red, for signed maps shown with a range centred on zero), Jet (as the
 * Python tools show maps), Grays.
 */
public final class Luts {

    public static final List<String> NAMES = List.of("Auto", "Fire", "Diverging", "Jet", "Grays");

    private Luts() {
    }

    /** The LUT for a map with ({@code signed}) or without negative values: {@code Auto} picks Diverging or Fire. */
    public static LUT forMap(String name, boolean signed) {
        if (name == null || name.trim().equalsIgnoreCase("auto")) {
            return signed ? diverging() : get("fire");
        }
        return get(name);
    }

    public static LUT get(String name) {
        String k = name == null ? "fire" : name.trim().toLowerCase(Locale.ROOT);
        switch (k) {
            case "auto":
                return get("fire");
            case "diverging":
                return diverging();
            case "fire":
                return new LUT(LutLoader.getLut("fire"), 0, 1);
            case "grays":
            case "grey":
            case "gray":
                return new LUT(LutLoader.getLut("grays"), 0, 1);
            case "jet":
                return jet();
            default:
                throw new ExplainJException("Unknown LUT \"" + name + "\". Use one of: " + String.join(", ", NAMES)
                        + ".");
        }
    }

    /** Matplotlib's jet: dark blue → blue → cyan → yellow → red → dark red. */
    static LUT jet() {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            double x = i / 255.0;
            r[i] = (byte) Math.round(255 * clamp(1.5 - Math.abs(4 * x - 3)));
            g[i] = (byte) Math.round(255 * clamp(1.5 - Math.abs(4 * x - 2)));
            b[i] = (byte) Math.round(255 * clamp(1.5 - Math.abs(4 * x - 1)));
        }
        return new LUT(new IndexColorModel(8, 256, r, g, b), 0, 1);
    }

    /** Blue (−) through white (0) to red (+), like matplotlib's bwr. */
    static LUT diverging() {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            double t = i / 255.0;
            double up = t < 0.5 ? 2 * t : 1;
            double down = t < 0.5 ? 1 : 2 * (1 - t);
            r[i] = (byte) Math.round(255 * up);
            g[i] = (byte) Math.round(255 * Math.min(up, down));
            b[i] = (byte) Math.round(255 * down);
        }
        return new LUT(new IndexColorModel(8, 256, r, g, b), 0, 1);
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
