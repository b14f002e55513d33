package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayerMenuTest {

    @Test
    void offersTheModelsSpatialLayersAfterAutomatic() {
        ImagePlus imp = IJ.openImage("test-images/demo/ring_cell_1.tif");
        List<String> items = LayerMenu.items(imp, "test-images/demo/ringnet_traced.pt", "", "");
        assertEquals("(automatic)", items.get(0));
        assertTrue(items.containsAll(List.of("features", "features.conv1", "features.relu4", "features.pool2")),
                items.toString());
        assertFalse(items.contains("fc"), "a Linear layer has no spatial output");
        assertFalse(items.contains("gap"), "global pooling gives 1x1");
    }

    @Test
    void aMissingModelGivesOnlyAutomatic() {
        ImagePlus imp = IJ.openImage("test-images/demo/ring_cell_1.tif");
        assertEquals(List.of("(automatic)"), LayerMenu.items(imp, "/no/such/model.pt", "", ""));
    }

    @Test
    void targetsOfferTheModelsClassNames() {
        assertEquals(List.of("top", "top3", "all", "0: blobs only", "1: ring cell"),
                TargetMenu.items("test-images/demo/ringnet_traced.pt"));
        assertEquals(List.of(), TargetMenu.items("src/test/resources/reference/models/tinycnn.pt"),
                "no labels: a text field instead");
    }
}
