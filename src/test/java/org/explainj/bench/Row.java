package org.explainj.bench;

/** One line of the results: a measured item with its statistics, ratios, target and verdict. */
public final class Row {

    public final String section;
    public final String model;
    public final String item;
    public Stats stats;
    /** Ratio to the model's plain no-grad forward (NaN: not applicable). */
    public double xForward = Double.NaN;
    /** The ideal batched passes for this item, in ms (NaN: not applicable). */
    public double idealMs = Double.NaN;
    public double xIdeal = Double.NaN;
    public String target = "";
    public String status = "";
    public String note = "";
    /** A plain value instead of a timing (e.g. RSS in MB), with its unit. */
    public double value = Double.NaN;
    public String unit = "";

    public Row(String section, String model, String item) {
        this.section = section;
        this.model = model;
        this.item = item;
    }

    public Row stats(Stats s) {
        this.stats = s;
        return this;
    }

    public Row note(String n) {
        this.note = n;
        return this;
    }

    public Row value(double v, String u) {
        this.value = v;
        this.unit = u;
        return this;
    }

    /** Sets the target "≤ limit × reference" and the verdict for the given ratio. */
    public Row targetRatio(double ratio, double limit, String reference) {
        target = "≤ " + fmtRatio(limit) + " " + reference;
        status = verdict(ratio, limit);
        return this;
    }

    /** "met", or "missed by N %" (how far the ratio is above the limit, relative to the limit). */
    public static String verdict(double ratio, double limit) {
        if (Double.isNaN(ratio)) {
            return "n/a";
        }
        if (ratio <= limit) {
            return "met";
        }
        double pct = 100 * (ratio / limit - 1);
        return String.format(java.util.Locale.ROOT, pct < 10 ? "missed by %.1f %% (%s vs %s)"
                : "missed by %.0f %% (%s vs %s)", pct, fmtRatio(ratio, pct < 1), fmtRatio(limit, pct < 1));
    }

    static String fmtRatio(double r) {
        return fmtRatio(r, false);
    }

    static String fmtRatio(double r, boolean precise) {
        if (Double.isNaN(r)) {
            return "";
        }
        return String.format(java.util.Locale.ROOT, r >= 100 ? "%.0f×" : r >= 10 ? "%.1f×" : precise ? "%.3f×"
                : "%.2f×", r);
    }
}
