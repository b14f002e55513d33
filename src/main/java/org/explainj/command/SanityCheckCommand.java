package org.explainj.command;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Plot;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;
import java.awt.Color;
import java.io.File;
import java.util.List;
import org.explainj.ExplainJException;
import org.explainj.evaluate.CascadingRandomisation;
import org.explainj.evaluate.EvaluationException;
import org.explainj.explain.ExplainRequest;
import org.explainj.explain.Keys;
import org.explainj.explain.Method;
import org.explainj.explain.Options;
import org.explainj.explain.Target;
import org.explainj.explain.Values;
import org.explainj.render.ImageExplanation;
import org.explainj.render.ImageJProgress;
import org.explainj.tensor.ModelInput;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Cascading model-parameter randomisation for a method ({@link CascadingRandomisation}): one Results row per step
 * ({@code Step, Randomised, Spearman, Spearman |.|, SSIM}), a Plot of the three curves and a stack of the maps. The
 * method, layer, model, target and input come from the heatmap's Info (the latest heatmap of the image by default)
 * unless given.
 */
@Plugin(type = Command.class, label = "Sanity Check", headless = true)
public class SanityCheckCommand implements Command {

    @Parameter(label = "Image")
    public ImagePlus image;

    @Parameter(label = "Heatmap", required = false)
    public String heatmap = "";

    @Parameter(label = "Method", required = false)
    public String method = "";

    @Parameter(label = "Model", required = false)
    public File model;

    @Parameter(label = "Seed")
    public long seed = 1234;

    /** The heatmap whose settings are checked, when given directly (scripts). */
    public ImagePlus heatmapImage;

    /** Whether to show the table, the plot and the maps. */
    public boolean show;

    public ImageJProgress progress = new ImageJProgress();

    /** The steps of the last run (step 0: the original map). */
    public List<CascadingRandomisation.Step> steps;
    public ResultsTable results;
    public Plot plot;
    public ImagePlus maps;

    @Override
    public void run() {
        if (image == null) {
            throw new ExplainJException("No image: open the image that was explained first.");
        }
        ExplainedHeatmap explained = ExplainedHeatmap.find(image, heatmap, heatmapImage);
        ImagePlus heat = explained.heatmap();
        java.util.Map<String, String> info = explained.info();
        Values v = explained.values(model, "", java.util.Map.of());
        String m = method != null && !method.isBlank() ? method : info.get("method");
        if (m == null || m.isBlank()) {
            throw new EvaluationException("The heatmap \"" + heat.getTitle() + "\" does not say which method made "
                    + "it: give method=.");
        }
        v = v.parse(Keys.METHOD.key(), m);
        if ((method == null || method.isBlank()) && info.get("layer") != null) {
            v = v.parse(Options.LAYER.key(), info.get("layer"));
        }
        ExplainRequest request = ExplainRequest.of(v);
        ImageExplanation.PlaneInput in = ImageExplanation.planeInput(image, request, explained.shownPlane());
        ModelInput input = in.toModel().apply(in.atImage());
        int targetClass = Integer.parseInt(info.getOrDefault("target_class", "-1"));
        Target target = targetClass >= 0 ? Target.index(targetClass) : Target.TOP;
        Method meth = request.method();
        steps = CascadingRandomisation.run(in.opened().model().source(), meth, input, target.fromOutput(
                request.output()), request.options().withProgress(progress), seed);
        progress.done();
        results = ResultsTable.getResultsTable();
        if (results == null) {
            results = new ResultsTable();
        }
        ImageStack stack = null;
        double[] x = new double[steps.size()];
        double[] rho = new double[steps.size()];
        double[] rhoAbs = new double[steps.size()];
        double[] ssim = new double[steps.size()];
        for (CascadingRandomisation.Step s : steps) {
            results.incrementCounter();
            results.addValue("Image", image.getTitle());
            results.addValue("Method", meth.label());
            results.addValue("Step", s.step());
            results.addValue("Randomised", s.randomised());
            results.addValue("Spearman", s.spearman());
            results.addValue("Spearman |.|", s.spearmanAbs());
            results.addValue("SSIM", s.ssim());
            x[s.step()] = s.step();
            rho[s.step()] = s.spearman();
            rhoAbs[s.step()] = s.spearmanAbs();
            ssim[s.step()] = s.ssim();
            if (!s.map().grid().isVolume()) {
                if (stack == null) {
                    stack = new ImageStack(s.map().width(), s.map().height());
                }
                stack.addSlice("step " + s.step() + ": " + s.randomised(), new FloatProcessor(s.map().width(),
                        s.map().height(), s.map().values().clone()));
            }
        }
        maps = stack == null ? null : new ImagePlus(image.getShortTitle() + "-sanity-" + meth.label().toLowerCase(
                java.util.Locale.ROOT).replace(' ', '-'), stack);
        plot = new Plot("Sanity check: " + meth.label() + " on " + image.getTitle(),
                "Modules randomised (output side first)", "Similarity to the original map");
        plot.setLimits(0, Math.max(1, steps.size() - 1), -1, 1);
        plot.setColor(new Color(200, 40, 40));
        plot.setLineWidth(2);
        plot.addPoints(x, rho, Plot.LINE);
        plot.setColor(new Color(40, 80, 200));
        plot.setLineWidth(1);
        plot.addPoints(x, rhoAbs, Plot.LINE);
        plot.setColor(new Color(40, 150, 60));
        plot.addPoints(x, ssim, Plot.LINE);
        plot.setColor(Color.BLACK);
        plot.addLegend("Spearman\nSpearman |.|\nSSIM");
        if (show) {
            results.show("Results");
            plot.show();
            if (maps != null) {
                maps.show();
            }
        }
    }
}
