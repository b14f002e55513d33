package org.explainj.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.explainj.command.EvaluateExplanationCommand;
import org.explainj.command.ExplainImageCommand;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;

/** Evaluate Explanation through its command: the heatmap's Info gives the model and input; AUCs against Python. */
class EvaluateExplanationTest {

    private static final String MODEL = Path.of("test-images/demo/ringnet_traced.pt").toAbsolutePath().toString();

    private static ImagePlus ringCell() {
        return IJ.openImage("test-images/demo/ring_cell_1.tif");
    }

    /**
     * A heatmap image that only its Info ties to the model (as a saved and reopened heatmap): the AUCs equal the
     * independent computation of scripts/make_evaluation_references.py for the same map.
     */
    @Test
    void aucsOfAHeatmapFromItsInfoEqualTheIndependentComputation() throws IOException {
        JsonObject c = JsonParser.parseString(Files.readString(Resources.path("evaluation/references.json")))
                .getAsJsonObject().getAsJsonObject("cases").getAsJsonObject("smooth_logit_blur");
        ImagePlus heat = new ImagePlus("saved-heatmap", new FloatProcessor(96, 96,
                Resources.npy("evaluation/heatmap_smooth.npy").data()));
        heat.setProperty("Info", "ExplainJ\nmethod=Grad-CAM\nmodel=" + MODEL + "\ntarget_class=1\nkey.scale=type\n");
        EvaluateExplanationCommand cmd = new EvaluateExplanationCommand();
        cmd.image = ringCell();
        cmd.heatmapImage = heat;
        cmd.steps = c.get("steps").getAsInt();
        cmd.blur = c.get("blur").getAsDouble();
        cmd.score = c.get("score").getAsString();
        cmd.run();
        assertEquals(1, cmd.targetClass);
        assertEquals(c.get("deletion_auc").getAsDouble(), cmd.curves.deletionAuc(), 2e-4);
        assertEquals(c.get("insertion_auc").getAsDouble(), cmd.curves.insertionAuc(), 2e-4);
        int row = cmd.results.size() - 1;
        assertEquals(cmd.curves.deletionAuc(), cmd.results.getValue("Deletion AUC", row), 1e-9);
        assertEquals("Grad-CAM", cmd.results.getStringValue("Method", row));
        assertEquals(cmd.steps + 1, cmd.curveTable.size());
    }

    /** Explain, then evaluate with no keys: the latest heatmap of the image, its model, target and input. */
    @Test
    void theLatestHeatmapOfTheImageIsEvaluatedByDefault() throws IOException {
        ImagePlus image = ringCell();
        ExplainImageCommand explain = new ExplainImageCommand();
        explain.image = image;
        explain.model = new File(MODEL);
        explain.method = "Grad-CAM";
        explain.run();
        EvaluateExplanationCommand cmd = new EvaluateExplanationCommand();
        cmd.image = image;
        cmd.steps = 20;
        cmd.run();
        assertEquals(explain.result.targetClass(), cmd.targetClass);
        int row = cmd.results.size() - 1;
        assertEquals(explain.heatmap.getTitle(), cmd.results.getStringValue("Heatmap", row));
        double del = cmd.curves.deletionAuc();
        double ins = cmd.curves.insertionAuc();
        // the same protocol with the map in reverse order must do worse on both curves (the demo model's Grad-CAM
        // finds the ring: deleting it first drops the score faster than deleting the background first)
        float[] px = (float[]) explain.heatmap.getProcessor().getPixels();
        float[] reversed = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            reversed[i] = -px[i];
        }
        ImagePlus rev = new ImagePlus("reversed", new FloatProcessor(96, 96, reversed));
        rev.setProperty("Info", explain.heatmap.getProperty("Info"));
        EvaluateExplanationCommand worse = new EvaluateExplanationCommand();
        worse.image = image;
        worse.heatmapImage = rev;
        worse.steps = 20;
        worse.run();
        assertTrue(del < worse.curves.deletionAuc() && ins > worse.curves.insertionAuc(),
                "Grad-CAM deletion " + del + " insertion " + ins + "; reversed " + worse.curves.deletionAuc() + " "
                        + worse.curves.insertionAuc());
        Path shots = Files.createDirectories(Path.of("target", "screenshots"));
        new ij.io.FileSaver(cmd.plot.getImagePlus()).saveAsPng(shots.resolve("deletion-insertion-plot.png").toString());
        System.out.printf("Grad-CAM: deletion AUC %.4f insertion AUC %.4f; reversed map %.4f %.4f%n", del, ins,
                worse.curves.deletionAuc(), worse.curves.insertionAuc());
    }

    @Test
    void anImageWithoutHeatmapSaysHowToMakeOne() {
        EvaluateExplanationCommand cmd = new EvaluateExplanationCommand();
        cmd.image = new ImagePlus("never-explained", new FloatProcessor(8, 8));
        EvaluationException e = assertThrows(EvaluationException.class, cmd::run);
        assertTrue(e.getMessage().contains("No heatmap was made from \"never-explained\"")
                && e.getMessage().contains("Explain Image"), e.getMessage());
    }

    /** metric=road: the row has MoRF, LeRF and the combined score; Grad-CAM's map beats its reverse. */
    @Test
    void roadRanksGradCamAboveItsReverse() throws IOException {
        ImagePlus image = ringCell();
        ExplainImageCommand explain = new ExplainImageCommand();
        explain.image = image;
        explain.model = new File(MODEL);
        explain.method = "Grad-CAM";
        explain.run();
        EvaluateExplanationCommand cmd = new EvaluateExplanationCommand();
        cmd.image = image;
        cmd.metric = "road";
        cmd.run();
        int row = cmd.results.size() - 1;
        assertEquals(cmd.road.combined(), cmd.results.getValue("ROAD combined", row), 1e-9);
        assertEquals(9, cmd.curveTable.size(), "one row per percentile");
        float[] px = (float[]) explain.heatmap.getProcessor().getPixels();
        float[] reversed = new float[px.length];
        for (int i = 0; i < px.length; i++) {
            reversed[i] = -px[i];
        }
        ImagePlus rev = new ImagePlus("reversed", new FloatProcessor(96, 96, reversed));
        rev.setProperty("Info", explain.heatmap.getProperty("Info"));
        EvaluateExplanationCommand worse = new EvaluateExplanationCommand();
        worse.image = image;
        worse.heatmapImage = rev;
        worse.metric = "road";
        worse.run();
        assertTrue(cmd.road.combined() > worse.road.combined(), "Grad-CAM " + cmd.road.combined() + ", reversed "
                + worse.road.combined());
        Path shots = Files.createDirectories(Path.of("target", "screenshots"));
        new ij.io.FileSaver(cmd.plot.getImagePlus()).saveAsPng(shots.resolve("road-plot.png").toString());
        System.out.printf("ROAD Grad-CAM: MoRF %.4f LeRF %.4f combined %.4f; reversed combined %.4f%n",
                cmd.road.morfMean(), cmd.road.lerfMean(), cmd.road.combined(), worse.road.combined());
    }

    /**
     * A heatmap of a stack (all_slices) is evaluated on the image plane its shown slice was made from, whatever
     * plane the image shows now (the image's current plane was used, with another plane's map).
     */
    @Test
    void aStackHeatmapSliceIsEvaluatedOnItsOwnPlane() {
        ij.ImageStack stack = new ij.ImageStack(96, 96);
        stack.addSlice("ring", ringCell().getProcessor());
        stack.addSlice("blobs", IJ.openImage("test-images/demo/blobs_only_1.tif").getProcessor());
        ImagePlus image = new ImagePlus("two planes", stack);
        ExplainImageCommand explain = new ExplainImageCommand();
        explain.image = image;
        explain.model = new File(MODEL);
        explain.method = "Grad-CAM";
        explain.all_slices = true;
        explain.run();
        ImagePlus heat = explain.heatmap;
        assertEquals(2, heat.getStackSize());
        // the image shows plane 1, then plane 2; the heatmap shows slice 1
        double[] onPlane1 = aucs(image, 1, heat, 1);
        double[] onPlane2 = aucs(image, 2, heat, 1);
        assertArrayEquals(onPlane1, onPlane2, 1e-12, "slice 1 of the heatmap is evaluated on plane 1");
        // and slice 2 on plane 2: another curve
        assertTrue(aucs(image, 1, heat, 2)[0] != onPlane1[0], "slice 2 evaluated on plane 1");
    }

    /** Deletion and insertion AUCs (10 steps) with the image showing {@code plane} and the heatmap {@code slice}. */
    private static double[] aucs(ImagePlus image, int plane, ImagePlus heat, int slice) {
        image.setSlice(plane);
        heat.setSlice(slice);
        EvaluateExplanationCommand cmd = new EvaluateExplanationCommand();
        cmd.image = image;
        cmd.heatmapImage = heat;
        cmd.steps = 10;
        cmd.addToResults = false;
        cmd.run();
        return new double[] {cmd.curves.deletionAuc(), cmd.curves.insertionAuc()};
    }
}
