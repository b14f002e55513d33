package org.explainj.command;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Plot;
import ij.measure.ResultsTable;
import java.awt.Color;
import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.explainj.ExplainJException;
import org.explainj.evaluate.DeletionInsertion;
import org.explainj.evaluate.EvaluationException;
import org.explainj.explain.ExplainRequest;
import org.explainj.explain.Keys;
import org.explainj.explain.Method;
import org.explainj.explain.Values;
import org.explainj.render.ImageExplanation;
import org.explainj.render.ImageJProgress;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Which explanation should I trust for my model? Explains an image (or every image of a folder) with several methods
 * and ranks them by deletion and insertion AUC ({@link DeletionInsertion}): a faithful map has a low deletion AUC and
 * a high insertion AUC, so the rank is by insertion − deletion, highest first. One row per method (over a folder:
 * mean ± sd per method), and a Plot of insertion against deletion AUC. Methods that do not apply to the model are
 * listed with the reason.
 */
@Plugin(type = Command.class, label = "Compare Methods", headless = true)
public class CompareMethodsCommand implements Command {

    /** The methods compared when none are named: the CNN methods with a default layer (no token attention). */
    public static final List<Method> DEFAULT = List.of(Method.SALIENCY, Method.GRAD_CAM, Method.GUIDED_BACKPROP,
            Method.GRAD_CAM_PLUS_PLUS, Method.HIRES_CAM, Method.XGRAD_CAM, Method.LAYER_CAM, Method.SCORE_CAM,
            Method.EIGEN_CAM, Method.SMOOTH_GRAD, Method.INTEGRATED_GRADIENTS, Method.INPUT_X_GRADIENT,
            Method.GUIDED_GRAD_CAM, Method.DECONVNET, Method.CAM, Method.OCCLUSION);

    @Parameter(label = "Image", required = false)
    public ImagePlus image;

    @Parameter(label = "Folder", required = false, description = "Compare over every image of this folder")
    public File folder;

    @Parameter(label = "Model")
    public File model;

    @Parameter(label = "Methods", required = false, description = "Comma-separated; blank: all that apply")
    public String methods = "";

    @Parameter(label = "Target", required = false)
    public String target = "top";

    @Parameter(label = "Steps", min = "1")
    public int steps = 20;

    @Parameter(label = "Baseline")
    public double baseline = 0;

    @Parameter(label = "Blur", min = "0")
    public double blur = 0;

    @Parameter(label = "Score", choices = {"probability", "logit"})
    public String score = "probability";

    @Parameter(label = "Scale", required = false)
    public String scale = "type";

    @Parameter(label = "Channels", required = false)
    public String channels = "";

    @Parameter(label = "Input size", required = false)
    public String input_size = "";

    @Parameter(label = "Mean", required = false)
    public String mean = "";

    @Parameter(label = "Std", required = false)
    public String std = "";

    public boolean show;
    public ImageJProgress progress = new ImageJProgress();

    /** Per method, the AUCs of every image (deletion, insertion). */
    public Map<Method, List<double[]>> aucs;
    /** Methods that could not be used, with the reason. */
    public Map<String, String> skipped;
    /** One row per method, ranked. */
    public ResultsTable table;
    public Plot plot;

    @Override
    public void run() {
        List<ImagePlus> images = images();
        List<Method> chosen = chosenMethods();
        aucs = new LinkedHashMap<>();
        skipped = new LinkedHashMap<>();
        int done = 0;
        for (ImagePlus imp : images) {
            for (Method m : chosen) {
                progress.step(done++, images.size() * chosen.size()).check();
                if (skipped.containsKey(m.label())) {
                    continue;
                }
                try {
                    aucs.computeIfAbsent(m, k -> new ArrayList<>()).add(evaluate(imp, m));
                } catch (EvaluationException e) {
                    throw e;
                } catch (org.explainj.explain.CancelledException e) {
                    throw e;
                } catch (ExplainJException e) {
                    skipped.put(m.label(), e.getMessage());
                    aucs.remove(m);
                }
            }
        }
        progress.done();
        if (aucs.isEmpty()) {
            // the methods that failed for the same reason, named together
            Map<String, List<String>> byReason = new LinkedHashMap<>();
            skipped.forEach((m, why) -> byReason.computeIfAbsent(why, k -> new ArrayList<>()).add(m));
            StringBuilder sb = new StringBuilder("No method could explain with this model.");
            byReason.forEach((why, ms) -> sb.append(' ').append(String.join(", ", ms)).append(": ").append(why));
            throw new EvaluationException(sb.toString());
        }
        List<Map.Entry<Method, List<double[]>>> ranked = new ArrayList<>(aucs.entrySet());
        ranked.sort((a, b) -> Double.compare(gap(b.getValue()), gap(a.getValue())));
        table = new ResultsTable();
        double[] del = new double[ranked.size()];
        double[] ins = new double[ranked.size()];
        for (int r = 0; r < ranked.size(); r++) {
            List<double[]> v = ranked.get(r).getValue();
            table.incrementCounter();
            table.addValue("Rank", r + 1);
            table.addValue("Method", ranked.get(r).getKey().label());
            table.addValue("Images", v.size());
            del[r] = mean(v, 0);
            ins[r] = mean(v, 1);
            table.addValue("Deletion AUC", del[r]);
            table.addValue("Deletion sd", sd(v, 0));
            table.addValue("Insertion AUC", ins[r]);
            table.addValue("Insertion sd", sd(v, 1));
            table.addValue("Insertion - Deletion", ins[r] - del[r]);
        }
        plot = new Plot("Compare methods: " + (folder != null ? folder.getName() : image.getTitle()),
                "Deletion AUC (lower is better)", "Insertion AUC (higher is better)");
        plot.setColor(new Color(40, 80, 200));
        plot.addPoints(del, ins, Plot.CIRCLE);
        double[] xr = span(del);
        double[] yr = span(ins);
        // room on the right for the labels written after each point
        plot.setLimits(xr[0], xr[1] + 2 * (xr[1] - xr[0]) / 3, yr[0], yr[1]);
        plot.setColor(Color.BLACK);
        for (int r = 0; r < ranked.size(); r++) {
            plot.addText((r + 1) + " " + ranked.get(r).getKey().label(), del[r], ins[r]);
        }
        if (show) {
            table.show("Method comparison");
            plot.show();
            skipped.forEach((m, why) -> IJ.log("ExplainJ: " + m + " not compared: " + why));
        }
    }

    private double[] evaluate(ImagePlus imp, Method m) {
        Values v = Values.defaults().parse(Keys.MODEL.key(), model.getPath()).parse(Keys.METHOD.key(), m.label())
                .parse(Keys.TARGET.key(), target == null || target.isBlank() ? "top" : target)
                .parse(Keys.SCALE.key(), scale == null || scale.isBlank() ? "type" : scale)
                .parse(Keys.CHANNELS.key(), channels).parse(Keys.INPUT_SIZE.key(), input_size)
                .parse(Keys.MEAN.key(), mean).parse(Keys.STD.key(), std);
        ExplainRequest request = ExplainRequest.of(v);
        ImageExplanation.Result r = ImageExplanation.run(imp, request, new ImageJProgress());
        EvaluateExplanationCommand e = new EvaluateExplanationCommand();
        e.image = imp;
        e.heatmapImage = r.heatmap();
        e.steps = steps;
        e.baseline = baseline;
        e.blur = blur;
        e.score = score;
        e.addToResults = false;
        e.run();
        return new double[] {e.curves.deletionAuc(), e.curves.insertionAuc()};
    }

    private List<ImagePlus> images() {
        if (folder == null || folder.getPath().isBlank()) {
            if (image == null) {
                throw new ExplainJException("No image: open one, or give folder=[...].");
            }
            return List.of(image);
        }
        List<ImagePlus> out = new ArrayList<>();
        for (org.explainj.cli.ImageJob job : org.explainj.cli.BatchInputs.folder(folder.toPath(), false, null)) {
            IJ.redirectErrorMessages(); // the Log, not a modal dialog (a macro would wait on it)
            ImagePlus imp = IJ.openImage(job.image());
            if (imp != null) {
                out.add(imp);
            } else {
                IJ.log("Compare Methods: " + job.label() + " was left out: ImageJ cannot open it as an image.");
            }
        }
        if (out.isEmpty()) {
            throw new ExplainJException("The folder " + folder + " holds no image ImageJ can open.");
        }
        return out;
    }

    private List<Method> chosenMethods() {
        if (methods == null || methods.isBlank()) {
            return DEFAULT;
        }
        List<Method> out = new ArrayList<>();
        for (String s : methods.split(",")) {
            if (!s.isBlank()) {
                out.add(Method.parse(s.trim()));
            }
        }
        return out;
    }

    private static double gap(List<double[]> v) {
        return mean(v, 1) - mean(v, 0);
    }

    private static double mean(List<double[]> v, int k) {
        return stats(v, k).getMean();
    }

    /** The sample standard deviation (0 for one image). */
    private static double sd(List<double[]> v, int k) {
        return v.size() < 2 ? 0 : stats(v, k).getStandardDeviation();
    }

    private static org.apache.commons.math3.stat.descriptive.DescriptiveStatistics stats(List<double[]> v, int k) {
        org.apache.commons.math3.stat.descriptive.DescriptiveStatistics s =
                new org.apache.commons.math3.stat.descriptive.DescriptiveStatistics();
        v.forEach(d -> s.addValue(d[k]));
        return s;
    }

    private static double[] span(double[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double d : v) {
            lo = Math.min(lo, d);
            hi = Math.max(hi, d);
        }
        double m = hi > lo ? 0.15 * (hi - lo) : 0.05;
        return new double[] {lo - m, hi + m};
    }
}
