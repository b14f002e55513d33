package org.explainj.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.explainj.command.CompareMethodsCommand;
import org.explainj.command.EvaluateExplanationCommand;
import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.Method;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compare Methods on the demo: each method's AUCs equal Evaluate Explanation's for its heatmap; ranked; folders. */
class CompareMethodsTest {

    private static final File MODEL = new File("test-images/demo/ringnet_traced.pt");

    @TempDir
    Path tmp;

    @Test
    void methodsAreRankedByTheirOwnAucs() throws IOException {
        ImagePlus image = IJ.openImage("test-images/demo/ring_cell_1.tif");
        CompareMethodsCommand cmd = new CompareMethodsCommand();
        cmd.image = image;
        cmd.model = MODEL;
        cmd.methods = "Grad-CAM, Saliency, Guided Backprop";
        cmd.steps = 10;
        cmd.run();
        assertEquals(3, cmd.table.size());
        double previous = Double.POSITIVE_INFINITY;
        for (int r = 0; r < 3; r++) {
            double gap = cmd.table.getValue("Insertion - Deletion", r);
            assertTrue(gap <= previous, "ranked by insertion - deletion");
            previous = gap;
        }
        // Grad-CAM's row equals Evaluate Explanation on its own heatmap
        ExplainImageCommand explain = new ExplainImageCommand();
        explain.image = image;
        explain.model = MODEL;
        explain.method = "Grad-CAM";
        explain.run();
        EvaluateExplanationCommand e = new EvaluateExplanationCommand();
        e.image = image;
        e.heatmapImage = explain.heatmap;
        e.steps = 10;
        e.addToResults = false;
        e.run();
        double[] row = cmd.aucs.get(Method.GRAD_CAM).get(0);
        assertEquals(e.curves.deletionAuc(), row[0], 1e-9);
        assertEquals(e.curves.insertionAuc(), row[1], 1e-9);
        Path shots = Files.createDirectories(Path.of("target", "screenshots"));
        new ij.io.FileSaver(cmd.plot.getImagePlus()).saveAsPng(shots.resolve("compare-methods-plot.png").toString());
        for (int r = 0; r < 3; r++) {
            System.out.printf("%d %-16s deletion %.4f insertion %.4f%n", r + 1, cmd.table.getStringValue("Method", r),
                    cmd.table.getValue("Deletion AUC", r), cmd.table.getValue("Insertion AUC", r));
        }
    }

    @Test
    void aFolderGivesMeanAndSdPerMethod() throws IOException {
        for (String n : new String[] {"ring_cell_1.tif", "ring_cell_2.tif", "ring_cell_1_mask_disk.png"}) {
            Files.copy(Path.of("test-images/demo", n), tmp.resolve(n));
        }
        CompareMethodsCommand cmd = new CompareMethodsCommand();
        cmd.folder = tmp.toFile();
        cmd.model = MODEL;
        cmd.methods = "Grad-CAM,Saliency";
        cmd.steps = 5;
        cmd.run();
        assertEquals(2, cmd.aucs.get(Method.GRAD_CAM).size(), "two images (the mask is not one)");
        assertEquals(2, cmd.table.getValue("Images", 0), 0);
        assertTrue(cmd.table.getValue("Deletion sd", 0) >= 0);
    }

    /** When every method fails for one reason, the message names the methods once with that reason once. */
    @Test
    void methodsThatFailForOneReasonAreNamedTogether() {
        CompareMethodsCommand cmd = new CompareMethodsCommand();
        cmd.image = IJ.createImage("rgb", "RGB ramp", 96, 96, 1);
        cmd.model = MODEL;
        cmd.methods = "Grad-CAM, Saliency";
        cmd.steps = 4;
        EvaluationException e = org.junit.jupiter.api.Assertions.assertThrows(EvaluationException.class, cmd::run);
        String m = e.getMessage();
        assertTrue(m.startsWith("No method could explain with this model. Grad-CAM, Saliency: "), m);
        String reason = m.substring("No method could explain with this model. Grad-CAM, Saliency: ".length());
        assertTrue(reason.contains("expects 1 input channel") && !m.contains("{"), m);
        assertEquals(m.indexOf("expects 1 input channel"), m.lastIndexOf("expects 1 input channel"), "once: " + m);
    }
}
