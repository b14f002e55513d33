package org.explainj.render;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.process.FloatProcessor;
import java.awt.Color;
import java.awt.Font;
import java.util.Locale;

/**
 * A calibration bar in the heatmap's overlay (drawn without ImageJ's menus, so it works headless too): the LUT as a
 * vertical ramp at the right edge with the display range's maximum, middle and minimum.
 */
public final class CalibrationBars {

    private CalibrationBars() {
    }

    public static void add(ImagePlus heat) {
        int w = heat.getWidth();
        int h = heat.getHeight();
        double min = heat.getProcessor().getMin();
        double max = heat.getProcessor().getMax();
        int barH = Math.max(8, (int) (h * 0.5));
        int barW = Math.max(3, w / 24);
        int fontSize = Math.max(6, Math.min(12, h / 16));
        int x = w - barW - Math.max(2, w / 40);
        int y = (h - barH) / 2;
        float[] ramp = new float[barW * barH];
        for (int yy = 0; yy < barH; yy++) {
            float v = (float) (max - (max - min) * yy / (barH - 1.0));
            for (int xx = 0; xx < barW; xx++) {
                ramp[yy * barW + xx] = v;
            }
        }
        FloatProcessor bar = new FloatProcessor(barW, barH, ramp);
        bar.setColorModel(heat.getProcessor().getColorModel());
        bar.setMinAndMax(min, max);
        Overlay overlay = heat.getOverlay() == null ? new Overlay() : heat.getOverlay();
        ImageRoi barRoi = new ImageRoi(x, y, bar);
        barRoi.setName("calibration bar");
        overlay.add(barRoi);
        Roi frame = new Roi(x, y, barW, barH);
        frame.setStrokeColor(Color.white);
        overlay.add(frame);
        Font font = new Font("SansSerif", Font.PLAIN, fontSize);
        double[] values = {max, (max + min) / 2, min};
        for (int i = 0; i < 3; i++) {
            String text = values[i] == 0 ? "0" : String.format(Locale.ROOT, "%.3g", values[i]);
            TextRoi label = new TextRoi(0, 0, text, font);
            double lw = label.getFloatWidth();
            int ly = y + (int) Math.round(i * (barH - 1) / 2.0) - fontSize / 2;
            label.setLocation(Math.max(0, x - lw - 2), Math.max(0, Math.min(h - fontSize - 2, ly)));
            label.setStrokeColor(Color.white);
            label.setAntiAlias(true);
            overlay.add(label);
        }
        heat.setOverlay(overlay);
    }
}
