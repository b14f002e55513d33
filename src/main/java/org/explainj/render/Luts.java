package org.explainj.render;

import ij.plugin.LutLoader;
import ij.process.LUT;
import java.awt.image.IndexColorModel;
import java.util.List;
import java.util.Locale;
import org.explainj.ExplainJException;

/** The lookup tables offered for heatmaps: Fire (ImageJ's), Jet (rainbow-like, for comparison with Python tools), Grays. */
public final class Luts {

    public static final List<String> NAMES = List.of("Fire", "Jet", "Grays");

    private Luts() {
    }

    public static LUT get(String name) {
        String k = name == null ? "fire" : name.trim().toLowerCase(Locale.ROOT);
        switch (k) {
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

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
