package org.explainj.render;

import ij.gui.Plot;
import ij.measure.ResultsTable;
import java.awt.Color;
import org.explainj.evaluate.DeletionInsertion;

/** Deletion and insertion curves as an ImageJ table and Plot. */
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
        p.setLimits(0, 1, Double.NaN, Double.NaN);
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
        p.setLimitsToFit(false);
        p.setLimits(0, 1, Double.NaN, Double.NaN);
        return p;
    }
}
