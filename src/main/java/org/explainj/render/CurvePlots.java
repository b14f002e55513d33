package org.explainj.render;

import ij.gui.Plot;
import ij.measure.ResultsTable;
import java.awt.Color;
import org.explainj.evaluate.DeletionInsertion;

/** Deletion and insertion curves, and ROAD's scores per percentile, as ImageJ tables and Plots. */
public final class CurvePlots {

    private CurvePlots() {
    }

    /** One row per step: Fraction, Deletion, Insertion (the curves asked for). */
    public static ResultsTable table(DeletionInsertion.Curves c) {
        ResultsTable t = new ResultsTable();
        for (int i = 0; i < c.fractions().length; i++) {
            t.incrementCounter();
            t.addValue("Fraction", c.fractions()[i]);
            if (c.deletion() != null) {
                t.addValue("Deletion", c.deletion()[i]);
            }
            if (c.insertion() != null) {
                t.addValue("Insertion", c.insertion()[i]);
            }
        }
        return t;
    }

    /** Both curves against the fraction of pixels changed, with their AUCs in the legend. */
    public static Plot plot(String title, DeletionInsertion.Curves c, String yLabel) {
        Plot p = new Plot(title, "Fraction of pixels changed", yLabel);
        StringBuilder legend = new StringBuilder();
        if (c.deletion() != null) {
            p.setColor(new Color(200, 40, 40));
            p.setLineWidth(2);
            p.addPoints(c.fractions(), c.deletion(), Plot.LINE);
            legend.append(String.format("Deletion (AUC %.4f)", c.deletionAuc()));
        }
        if (c.insertion() != null) {
            p.setColor(new Color(40, 80, 200));
            p.setLineWidth(2);
            p.addPoints(c.fractions(), c.insertion(), Plot.LINE);
            legend.append(legend.length() == 0 ? "" : "\n").append(String.format("Insertion (AUC %.4f)",
                    c.insertionAuc()));
        }
        p.setColor(Color.BLACK);
        p.addLegend(legend.toString());
        double[] range = range(c.deletion(), c.insertion());
        p.setLimits(0, 1, range[0], range[1]);
        return p;
    }

    /** One row per percentile: Percentile, MoRF, LeRF (score changes). */
    public static ResultsTable table(org.explainj.evaluate.Road.Result r) {
        ResultsTable t = new ResultsTable();
        for (int k = 0; k < r.percentiles().length; k++) {
            t.incrementCounter();
            t.addValue("Percentile", r.percentiles()[k]);
            t.addValue("MoRF", r.morf()[k]);
            t.addValue("LeRF", r.lerf()[k]);
        }
        return t;
    }

    /** MoRF and LeRF against the percentile, with the averages and the combined score in the legend. */
    public static Plot plot(String title, org.explainj.evaluate.Road.Result r, String yLabel) {
        double[] x = new double[r.percentiles().length];
        for (int k = 0; k < x.length; k++) {
            x[k] = r.percentiles()[k];
        }
        Plot p = new Plot(title, "Percentile of the map removed above (MoRF) / below (LeRF)", yLabel);
        p.setColor(new Color(200, 40, 40));
        p.setLineWidth(2);
        p.addPoints(x, r.morf(), Plot.LINE);
        p.setColor(new Color(40, 80, 200));
        p.addPoints(x, r.lerf(), Plot.LINE);
        p.setColor(Color.BLACK);
        p.addLegend(String.format("MoRF (mean %.4f)%nLeRF (mean %.4f); combined %.4f", r.morfMean(), r.lerfMean(),
                r.combined()));
        double[] range = range(r.morf(), r.lerf());
        p.setLimits(x[0], x[x.length - 1], range[0], range[1]);
        return p;
    }

    /** The y range of the curves given (null ones ignored), with a 5 % margin. */
    private static double[] range(double[]... curves) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] c : curves) {
            if (c != null) {
                for (double v : c) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        double margin = hi > lo ? 0.05 * (hi - lo) : Math.max(1e-6, 0.05 * Math.abs(hi));
        return new double[] {lo - margin, hi + margin};
    }
}
