package org.explainj.model;

import org.explainj.explain.Options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Target;
import org.explainj.explain.cam.GradCam;
import org.explainj.explain.gradient.Saliency;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Slow
class ModelLoadingTest {

    @TempDir
    Path tmp;

    private final java.util.List<ModelCache> caches = new java.util.ArrayList<>();

    private ModelCache cache(Path dir) {
        ModelCache c = new ModelCache(dir);
        caches.add(c);
        return c;
    }

    @org.junit.jupiter.api.AfterEach
    void closeModels() {
        caches.forEach(ModelCache::clear);
    }

    private ModelInput synthPos0() {
        Npy x = Resources.npy("reference/inputs/synth_pos0_model_input.npy");
        return new ModelInput(x.data(), 1, 64, 64);
    }

    @Test
    void batchNormStaysInEvalModeAcrossRepeatedGradientCalls() {
        // tinycnn has four BatchNorm layers. In train mode they would use the batch statistics of this one image
        // (and update their running statistics), so logits and gradients would drift from the reference.
        ModelCache models = cache(tmp);
        TorchScriptModel m = models.get(Resources.path("reference/models/tinycnn.pt"));
        float[] refLogits = Resources.npy("reference/golden/tinycnn/synth_pos0/logits.npy").data();
        float[] refSaliency = Resources.npy("reference/golden/tinycnn/synth_pos0/t1_top/Saliency_abs.npy").data();
        for (int i = 0; i < 3; i++) {
            Attribution s = new Saliency().explain(m, synthPos0(), Target.TOP, ExplainOptions.defaults());
            assertArrayEquals(refLogits, s.scores(), 1e-5f, "call " + i);
            assertArrayEquals(refSaliency, s.values(), 1e-6f, "call " + i);
            Attribution g = new GradCam().explain(m, synthPos0(), Target.TOP,
                    ExplainOptions.defaults().with(Options.LAYER, "features.relu4"));
            assertArrayEquals(refLogits, g.scores(), 1e-5f, "call " + i);
        }
    }

    @Test
    void scriptedAndTracedDemoModelsGiveTheSameLogitsAndGradCam() throws IOException {
        ModelCache models = cache(tmp);
        TorchScriptModel traced = models.get(Path.of("test-images/demo/ringnet_traced.pt"));
        TorchScriptModel scripted = models.get(Path.of("test-images/demo/ringnet_scripted.pt"));
        assertTrue(scripted.layersAvailable(), String.valueOf(scripted.notPreparedReason()));
        assertEquals("features", traced.defaultCamLayer(new long[] {1, 1, 96, 96}));
        assertEquals("features", scripted.defaultCamLayer(new long[] {1, 1, 96, 96}));
        float[] x = new float[96 * 96];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        ModelInput in = new ModelInput(x, 1, 96, 96);
        for (String layer : new String[] {"features.relu4", "features.conv3", "features"}) {
            ExplainOptions o = ExplainOptions.defaults().with(Options.LAYER, layer).with(Options.NO_RELU, true);
            Attribution a = new GradCam().explain(traced, in, Target.index(1), o);
            Attribution b = new GradCam().explain(scripted, in, Target.index(1), o);
            assertArrayEquals(a.scores(), b.scores(), 1e-5f);
            assertEquals(24, a.width());
            float max = 0;
            for (float v : a.values()) {
                max = Math.max(max, Math.abs(v));
            }
            assertArrayEquals(a.values(), b.values(), 1e-5f * max, layer);
        }
    }

    @Test
    void aModelIsLoadedOnceAndReloadedWhenTheFileChanges() throws IOException {
        Path file = tmp.resolve("model.pt");
        Files.copy(Resources.path("reference/models/tinycnn.pt"), file);
        ModelCache models = cache(tmp.resolve("cache"));
        TorchScriptModel first = models.get(file);
        assertSame(first, models.get(file));
        assertEquals(1, models.loads());
        assertEquals(1, models.rewrites());
        Files.copy(Path.of("test-images/demo/ringnet_traced.pt"), file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        TorchScriptModel second = models.get(file);
        assertNotSame(first, second);
        assertEquals(2, models.loads());
        assertTrue(second.tree().node("features.relu4") != null);
        // A new session (new cache object, same folder) reuses the prepared copy: no rewrite.
        ModelCache again = cache(tmp.resolve("cache"));
        again.get(file);
        assertEquals(0, again.rewrites());
    }

    @Test
    void aNewSessionTakesTheFilesChecksumFromTheCacheOnlyWhileTheFileIsUnchanged() throws IOException {
        Path file = tmp.resolve("model.pt");
        Files.copy(Resources.path("reference/models/tinycnn.pt"), file);
        String tiny = ModelCache.sha256(file);
        assertEquals(tiny, cache(tmp.resolve("cache")).get(file).sha256());
        Path hashes = tmp.resolve("cache").resolve("hashes");
        Path record;
        try (java.util.stream.Stream<Path> s = Files.list(hashes)) {
            record = s.findFirst().orElseThrow();
        }
        assertTrue(Files.readString(record).trim().endsWith(" " + tiny), Files.readString(record));
        // the record is what a new session reads: a forged checksum for the same size, time and directory is used
        String forged = "0".repeat(64);
        Files.writeString(record, Files.readString(record).replace(tiny, forged));
        assertEquals(forged, cache(tmp.resolve("cache")).get(file).sha256());
        // ... but not once the file is another one
        Files.copy(Path.of("test-images/demo/ringnet_traced.pt"), file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertEquals(ModelCache.sha256(file), cache(tmp.resolve("cache")).get(file).sha256());
    }

    @Test
    void theUsersModelFileIsNeverModified() throws IOException {
        Path file = tmp.resolve("tiny.pt");
        Files.copy(Resources.path("reference/models/tinycnn.pt"), file);
        byte[] before = Files.readAllBytes(file);
        FileTime mtime = Files.getLastModifiedTime(file);
        ModelCache models = cache(tmp.resolve("cache"));
        new GradCam().explain(models.get(file), synthPos0(), Target.TOP, ExplainOptions.defaults());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(mtime, Files.getLastModifiedTime(file));
    }

    @Test
    void missingFileNotAZipAndNotTorchScriptGetClearMessages() throws IOException {
        ModelCache models = cache(tmp.resolve("cache"));
        ModelException missing = assertThrows(ModelException.class, () -> models.get(tmp.resolve("nope.pt")));
        assertTrue(missing.getMessage().contains("not found") && missing.getMessage().contains("nope.pt"),
                missing.getMessage());

        Path text = tmp.resolve("notes.pt");
        Files.writeString(text, "this is not a model");
        ModelException notZip = assertThrows(ModelException.class, () -> models.get(text));
        assertTrue(notZip.getMessage().contains("not a TorchScript model")
                && notZip.getMessage().contains("torch.jit"), notZip.getMessage());

        Path zip = tmp.resolve("other.pt");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            z.write(new byte[] {(byte) 0x80, 2, '}', '.'});
            z.closeEntry();
        }
        ModelException stateDict = assertThrows(ModelException.class, () -> models.get(zip));
        assertTrue(stateDict.getMessage().contains("no code/ folder"), stateDict.getMessage());
    }

    @Test
    void unknownLayerSuggestsTheClosestNames() {
        ModelCache models = cache(tmp);
        TorchScriptModel m = models.get(Resources.path("reference/models/tinycnn.pt"));
        LayerException e = assertThrows(LayerException.class, () -> new GradCam().explain(m, synthPos0(),
                Target.TOP, ExplainOptions.defaults().with(Options.LAYER, "features.relu9")));
        assertTrue(e.getMessage().contains("\"features.relu9\"") && e.getMessage().contains("features.relu4"),
                e.getMessage());
    }

    @Test
    void layerWithoutSpatialOutputIsRefusedForGradCam() {
        ModelCache models = cache(tmp);
        TorchScriptModel m = models.get(Resources.path("reference/models/tinycnn.pt"));
        LayerException e = assertThrows(LayerException.class, () -> new GradCam().explain(m, synthPos0(),
                Target.TOP, ExplainOptions.defaults().with(Options.LAYER, "fc")));
        assertTrue(e.getMessage().contains("fc") && e.getMessage().contains("spatial"), e.getMessage());
    }

    @Test
    void classIndexOutOfRangeNamesTheRange() {
        ModelCache models = cache(tmp);
        TorchScriptModel m = models.get(Resources.path("reference/models/tinycnn.pt"));
        var e = assertThrows(org.explainj.explain.MethodException.class, () -> new Saliency().explain(m,
                synthPos0(), Target.index(7), ExplainOptions.defaults()));
        assertTrue(e.getMessage().contains("7") && e.getMessage().contains("2 classes"), e.getMessage());
    }
}
