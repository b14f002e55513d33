package org.explainj.cli;

import ij.ImagePlus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.explainj.ExplainJException;
import org.explainj.command.EvaluateExplanationCommand;

/**
 * The metrics ExplainFolder adds per image ({@code --evaluate deletion|insertion|both|road}, {@code
 * --evaluate_steps N}): one row per image in {@code evaluation.csv}, and {@code summary.csv} with the mean and
 * standard deviation of each metric over the images, the pointing-game accuracy (share of ROIs that hold the map's
 * maximum) and the mean energy share (share of the positive attribution inside the ROI) over the ROI rows.
 */
public final class Evaluation {

    private final String metric;
    private final int steps;
    private final List<String> images = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();

    private Evaluation(String metric, int steps) {
        this.metric = metric;
        this.steps = steps;
    }

    static Evaluation of(String metric, String steps) {
        String m = metric == null ? "none" : metric.trim().toLowerCase(Locale.ROOT);
        if (!List.of("none", "deletion", "insertion", "both", "road").contains(m)) {
            throw new org.explainj.explain.OptionException("--evaluate " + metric + " is not a metric: use none, "
                    + "deletion, insertion, both or road.");
        }
        int n;
        try {
            n = steps == null || steps.isBlank() ? 50 : Integer.parseInt(steps.trim());
        } catch (NumberFormatException e) {
            throw new org.explainj.explain.OptionException("--evaluate_steps " + steps + " is not a whole number.");
        }
        if (n < 1) {
            throw new org.explainj.explain.OptionException("--evaluate_steps must be 1 or more, got " + n + ".");
        }
        return new Evaluation(m, n);
    }

    boolean asked() {
        return !"none".equals(metric);
    }

    private boolean road() {
        return "road".equals(metric);
    }

    private List<String> columns() {
        return road() ? List.of("ROAD MoRF", "ROAD LeRF", "ROAD combined") : List.of("Deletion AUC", "Insertion AUC");
    }

    /** Evaluates one image's heatmap; a failure is written in its row instead of numbers. */
    void add(String name, ImagePlus image, ImagePlus heatmap) {
        EvaluateExplanationCommand e = new EvaluateExplanationCommand();
        e.image = image;
        e.heatmapImage = heatmap;
        e.metric = metric;
        e.steps = steps;
        e.addToResults = false;
        try {
            e.run();
        } catch (ExplainJException ex) {
            images.add(name);
            values.add(null);
            failed.add(ex.getMessage().replace(',', ';').replace('\n', ' '));
            return;
        }
        images.add(name);
        values.add(road() ? new double[] {e.road.morfMean(), e.road.lerfMean(), e.road.combined()}
                : new double[] {e.curves.deletionAuc(), e.curves.insertionAuc()});
        failed.add("");
    }

    String csv() {
        StringBuilder sb = new StringBuilder("Image," + String.join(",", columns()) + ",Steps,Note\n");
        for (int i = 0; i < images.size(); i++) {
            sb.append(images.get(i));
            double[] v = values.get(i);
            for (int k = 0; k < columns().size(); k++) {
                sb.append(',').append(v == null ? "" : Double.toString(v[k]));
            }
            sb.append(',').append(road() ? "" : Integer.toString(steps)).append(',').append(failed.get(i))
                    .append('\n');
        }
        return sb.toString();
    }

    /** Mean ± sd per metric over the images, and the ROI summaries from measurements.csv's rows. */
    String summary(String method, String measurements) {
        StringBuilder sb = new StringBuilder("Method,Metric,Mean,SD,N\n");
        List<String> cols = columns();
        for (int k = 0; k < cols.size(); k++) {
            List<Double> xs = new ArrayList<>();
            for (double[] v : values) {
                if (v != null && Double.isFinite(v[k])) {
                    xs.add(v[k]);
                }
            }
            row(sb, method, cols.get(k), xs);
        }
        List<Double> pointing = new ArrayList<>();
        List<Double> energy = new ArrayList<>();
        List<String> columns = MeasurementTable.columns();
        int pointingColumn = columns.indexOf("Pointing");
        int energyColumn = columns.indexOf("Fraction");
        List<List<String>> rows = MeasurementTable.read(measurements);
        for (List<String> row : rows.subList(Math.min(1, rows.size()), rows.size())) { // after the header
            pointing.add(Double.parseDouble(row.get(pointingColumn)));
            energy.add(Double.parseDouble(row.get(energyColumn)));
        }
        if (!pointing.isEmpty()) {
            row(sb, method, "Pointing game accuracy", pointing);
            row(sb, method, "Energy share", energy);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String method, String metric, List<Double> xs) {
        org.apache.commons.math3.stat.descriptive.DescriptiveStatistics s =
                new org.apache.commons.math3.stat.descriptive.DescriptiveStatistics();
        xs.forEach(s::addValue);
        double sd = xs.size() > 1 ? s.getStandardDeviation() : 0;
        sb.append(method).append(',').append(metric).append(',').append(xs.isEmpty() ? "" : Double.toString(
                s.getMean())).append(',').append(xs.isEmpty() ? "" : Double.toString(sd)).append(',')
                .append(xs.size()).append('\n');
    }
}
