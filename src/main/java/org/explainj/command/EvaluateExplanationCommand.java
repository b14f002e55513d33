package org.explainj.command;

import org.explainj.model.HostArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.explainj.ExplainJException;
import org.explainj.evaluate.DeletionInsertion;
import org.explainj.evaluate.EvaluationException;
import org.explainj.evaluate.EvaluationKeys;
import org.explainj.evaluate.Road;
import org.explainj.explain.ExplainRequest;
import org.explainj.explain.Keys;
import org.explainj.explain.Target;
import org.explainj.explain.TargetScores;
import org.explainj.explain.Targets;
import org.explainj.explain.Values;
import org.explainj.model.TorchScriptModel;
import org.explainj.render.CurvePlots;
import org.explainj.render.ImageExplanation;
import org.explainj.render.ImageJProgress;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ModelInput;
import org.explainj.tensor.Resample;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Deletion and insertion curves for a heatmap of the image ({@link DeletionInsertion}): one row in a Results table
 * ({@code Image, Heatmap, Method, Target, Score, Steps, Deletion AUC, Insertion AUC}), the curves as a table and an
 * ImageJ Plot. The input keys left blank are read from the heatmap's Info, so the model sees the input that was
 * explained. Fields are the keys of {@link EvaluationKeys}.
 */
@Plugin(type = Command.class, label = "Evaluate Explanation", headless = true)
public class EvaluateExplanationCommand implements Command {

    @Parameter(label = "Image")
    public ImagePlus image;

    @Parameter(label = "Heatmap", required = false)
    public String heatmap = "";

    @Parameter(label = "Model", required = false)
    public File model;

    @Parameter(label = "Metric", choices = {"deletion", "insertion", "both", "road"})
    public String metric = "both";

    @Parameter(label = "Steps", min = "1")
    public int steps = 50;

    @Parameter(label = "Baseline")
    public double baseline = 0;

    @Parameter(label = "Blur", min = "0")
    public double blur = 0;

    @Parameter(label = "Score", choices = {"probability", "logit"})
    public String score = "probability";

    @Parameter(label = "Noise", min = "0")
    public double noise = 0.01;

    @Parameter(label = "Seed")
    public long seed = 1234;

    @Parameter(label = "Target", required = false)
    public String target = "";

    @Parameter(label = "Batch size", min = "1")
    public int batch_size = 32;

    @Parameter(label = "Scale", required = false)
    public String scale = "";

    @Parameter(label = "Channels", required = false)
    public String channels = "";

    @Parameter(label = "Input size", required = false)
    public String input_size = "";

    @Parameter(label = "Mean", required = false)
    public String mean = "";

    @Parameter(label = "Std", required = false)
    public String std = "";

    @Parameter(label = "Output", required = false)
    public String output = "";

    /** The heatmap to evaluate, when given directly (scripts); else found by {@link #heatmap}. */
    public ImagePlus heatmapImage;

    /** Whether to show the tables and the plot (the ImageJ plugin: yes; scripts and tests: no). */
    public boolean show;

    /** Whether to add the row to the Results table (Compare Methods keeps its own table). */
    public boolean addToResults = true;

    /** The progress bar and Esc. */
    public ImageJProgress progress = new ImageJProgress();

    /** The curves of the last run (deletion/insertion), or its ROAD result (metric=road). */
    public DeletionInsertion.Curves curves;
    public Road.Result road;
    /** The class that was scored. */
    public int targetClass;
    /** The Results table the row was added to, the curves table and the plot. */
    public ResultsTable results;
    public ResultsTable curveTable;
    public ij.gui.Plot plot;

    @Override
    public void run() {
        if (image == null) {
            throw new ExplainJException("No image: open the image that was explained first.");
        }
        ExplainedHeatmap explained = ExplainedHeatmap.find(image, heatmap, heatmapImage);
        ImagePlus heat = explained.heatmap();
        Map<String, String> info = explained.info();
        Values v = explained.values(model, target, inputKeys());
        ExplainRequest request = ExplainRequest.of(v);
        ImageExplanation.PlaneInput in = ImageExplanation.planeInput(image, request, explained.shownPlane());
        TorchScriptModel m = in.opened().model();
        ModelInput probe = in.toModel().apply(in.atImage());
        Target t = Targets.parse(request.target(), false, null, request.output(), in.labels(), m, probe).get(0);
        float[] classScores;
        m.lock().lock();
        try (NDManager nd = m.newManager()) {
            classScores = TargetScores.classScores(m.forwardNoGrad(HostArrays.floats(nd, probe.data(), new Shape(probe.shape())),
                    request.output()), t);
        } finally {
            m.lock().unlock();
        }
        org.explainj.model.ModelLabels.requireMatch(in.labels(), classScores.length);
        targetClass = t.resolve(classScores, in.labels());
        float[] map = mapAtImage(heat, in.atImage().grid());
        Target scored = Target.index(targetClass).fromOutput(request.output());
        DeletionInsertion.Score kind = DeletionInsertion.Score.parse(score);
        boolean isRoad = "road".equalsIgnoreCase(metric == null ? "" : metric.trim());
        if (isRoad) {
            road = Road.run(m, in.atImage(), in.toModel(), map, scored, targetClass, kind, noise, seed,
                    DeletionInsertion.options(batch_size, progress));
        } else {
            DeletionInsertion.Settings s = new DeletionInsertion.Settings(DeletionInsertion.Metric.parse(metric),
                    steps, baseline, blur, kind);
            curves = DeletionInsertion.run(m, in.atImage(), in.toModel(), map, scored, targetClass, s,
                    DeletionInsertion.options(batch_size, progress));
        }
        progress.done();
        String label = targetClass < in.labels().size() ? targetClass + " (" + in.labels().get(targetClass) + ")"
                : Integer.toString(targetClass);
        results = addToResults ? ResultsTable.getResultsTable() : null;
        if (results == null) {
            results = new ResultsTable();
        }
        results.incrementCounter();
        results.addValue("Image", image.getTitle());
        results.addValue("Heatmap", heat.getTitle());
        results.addValue("Method", info.getOrDefault("method", ""));
        results.addValue("Target", label);
        results.addValue("Score", score);
        if (isRoad) {
            results.addValue("ROAD MoRF", road.morfMean());
            results.addValue("ROAD LeRF", road.lerfMean());
            results.addValue("ROAD combined", road.combined());
            curveTable = CurvePlots.table(road);
            plot = CurvePlots.plot("ROAD: " + heat.getTitle(), road, "change of the " + score + " of class " + label);
        } else {
            results.addValue("Steps", steps);
            results.addValue("Deletion AUC", curves.deletionAuc());
            results.addValue("Insertion AUC", curves.insertionAuc());
            curveTable = CurvePlots.table(curves);
            plot = CurvePlots.plot("Deletion and insertion: " + heat.getTitle(), curves, score + " of class "
                    + label);
        }
        if (show) {
            results.show("Results");
            curveTable.show(isRoad ? "ROAD per percentile" : "Deletion and insertion curves");
            plot.show();
        }
    }

    /** The input keys as given (blank: as the heatmap was made). */
    Map<String, String> inputKeys() {
        Map<String, String> given = new LinkedHashMap<>();
        given.put("scale", scale);
        given.put("channels", channels);
        given.put("input_size", input_size);
        given.put("mean", mean);
        given.put("std", std);
        given.put("output", output);
        return given;
    }

    /** The heatmap's current slice at the image's resolution (bilinear when it has another size). */
    private static float[] mapAtImage(ImagePlus heat, Grid at) {
        float[] px = (float[]) heat.getProcessor().convertToFloatProcessor().getPixels();
        Grid own = Grid.plane(heat.getWidth(), heat.getHeight());
        return own.equals(at) ? px.clone() : Resample.linear(px, own, at);
    }

    /** Sets the field of a key from its text (as a dialog or macro gives it; checked against the key's rules). */
    public void set(org.explainj.explain.Option<?> key, String text) {
        Object value = key.parse(text);
        try {
            EvaluateExplanationCommand.class.getField(key.key()).set(this, value);
        } catch (NoSuchFieldException | IllegalAccessException e) {
            throw new IllegalStateException("the command has no field for the key " + key.key(), e);
        }
    }
}
