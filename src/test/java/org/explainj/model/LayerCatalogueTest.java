package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerCatalogueTest {

    @TempDir
    Path tmp;

    private ModelCache models;

    @AfterEach
    void close() {
        if (models != null) {
            models.clear();
        }
    }

    @Test
    void tinyCnnLayersHaveTypesShapesAndTheDefaultIsTheFeatureBlock() {
        models = new ModelCache(tmp);
        TorchScriptModel m = models.get(Resources.path("reference/models/tinycnn.pt"));
        LayerCatalogue c = m.catalogue(new long[] {1, 1, 64, 64});
        assertEquals("ReLU", c.layer("features.relu4").type());
        assertArrayEquals(new long[] {1, 64, 16, 16}, c.layer("features.relu4").shape());
        assertArrayEquals(new long[] {1, 64, 1, 1}, c.layer("gap").shape());
        assertArrayEquals(new long[] {1, 2}, c.layer("fc").shape());
        assertEquals(1, c.layer("features.conv1").calls());
        assertEquals("features", c.defaultCamLayer());
        assertEquals(18 - 1, c.layers().size());
    }

    @Test
    void aLaterSessionReadsTheCatalogueFromTheCacheAndGetsTheSameLayers() throws Exception {
        Path file = Resources.path("reference/models/tinycnn.pt");
        long[] shape = {1, 1, 64, 64};
        models = new ModelCache(tmp);
        LayerCatalogue fresh = models.get(file).catalogue(shape);
        models.clear();
        java.util.List<Path> checks;
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(tmp.resolve("prepared"))) {
            checks = s.filter(p -> p.toString().endsWith(".checks")).toList();
        }
        assertEquals(1, checks.size());
        String stored = java.nio.file.Files.readString(checks.get(0));
        org.junit.jupiter.api.Assertions.assertTrue(stored.contains("catalogue [1, 1, 64, 64]\t"), stored);

        models = new ModelCache(tmp); // a new session on the same cache folder
        LayerCatalogue read = models.get(file).catalogue(shape);
        assertEquals(fresh.layers().size(), read.layers().size());
        for (int i = 0; i < fresh.layers().size(); i++) {
            LayerCatalogue.Layer a = fresh.layers().get(i);
            LayerCatalogue.Layer b = read.layers().get(i);
            assertEquals(a.path(), b.path());
            assertArrayEquals(a.shape(), b.shape(), a.path());
            assertEquals(a.calls(), b.calls(), a.path());
        }
        assertEquals(fresh.executionOrder(), read.executionOrder());
        assertEquals(fresh.defaultCamLayer(), read.defaultCamLayer());
        models.clear();

        // a damaged line is not trusted: the catalogue is recorded again
        java.nio.file.Files.writeString(checks.get(0), stored.replaceAll("(catalogue [^\t]*\t)[^\n]*",
                "$1x,y;z"));
        models = new ModelCache(tmp);
        assertArrayEquals(new long[] {1, 64, 16, 16},
                models.get(file).catalogue(shape).layer("features.relu4").shape());
    }

    @Test
    void resNet18DefaultIsLayer4AndReusedReluModulesCountTheirCalls() {
        Path shared = Resources.sharedReference();
        assumeTrue(shared != null, "resnet18.pt (47 MB) is read from the shared reference folder; absent here");
        models = new ModelCache(tmp);
        TorchScriptModel m = models.get(shared.resolve("models/resnet18.pt"));
        LayerCatalogue c = m.catalogue(new long[] {1, 3, 224, 224});
        assertEquals("layer4", c.defaultCamLayer());
        assertArrayEquals(new long[] {1, 512, 7, 7}, c.layer("layer4.1").shape());
        assertEquals(2, c.layer("layer1.0.relu").calls());
        assertArrayEquals(new long[] {1, 256, 14, 14}, c.layer("layer3.0.downsample").shape());
        // A second request for the same input shape is served from memory.
        assertEquals(c, m.catalogue(new long[] {1, 3, 224, 224}));
    }

    /**
     * constructs/shared_instance: one Conv2d object stored as attributes a and b and called twice; the traced file
     * routes both calls through a, so b is a module that is never called.
     */
    @Test
    void aModuleThatIsNeverCalledHasNoShape() {
        models = new ModelCache(tmp);
        TorchScriptModel m = models.get(Resources.path("constructs/models/shared_instance_traced.pt"));
        LayerCatalogue c = m.catalogue(new long[] {1, 1, 32, 32});
        assertEquals(0, c.layer("b").calls());
        assertNull(c.layer("b").shape());
        assertEquals(2, c.layer("a").calls());
        assertEquals(4, c.layer("a").shape().length);
    }
}
