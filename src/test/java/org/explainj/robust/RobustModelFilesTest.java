package org.explainj.robust;

import org.explainj.explain.Options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Target;
import org.explainj.explain.cam.GradCam;
import org.explainj.explain.gradient.Saliency;
import org.explainj.model.LayerException;
import org.explainj.model.ModelCache;
import org.explainj.model.ModelException;
import org.explainj.model.TorchScriptModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files a user may give by mistake (missing, a folder, empty, not a zip, a zip that is not TorchScript, a
 * truncated or damaged TorchScript file), a model replaced on disk between runs, and a damaged prepared copy in the
 * cache folder. What the user sees is the message of the exception (the ImageJ dialog shows it as it is).
 */
class RobustModelFilesTest {

    @TempDir
    Path tmp;

    private final List<ModelCache> caches = new ArrayList<>();

    private ModelCache cache(Path dir) {
        ModelCache c = new ModelCache(dir);
        caches.add(c);
        return c;
    }

    @AfterEach
    void closeModels() {
        caches.forEach(ModelCache::clear);
    }

    private String loadError(String kase, Path file, String... parts) {
        ModelCache models = cache(tmp.resolve("cache"));
        return Survey.error(kase, ModelException.class, () -> models.get(file), parts);
    }

    // ---- not a model ------------------------------------------------------------------------------------------

    @Test
    void missingFileSaysNotFoundAndWhatToGive() {
        // through the command, as the ImageJ dialog shows it
        Survey.error("model: missing file", ModelException.class, () -> Fixtures.command(Fixtures.synth(),
                tmp.resolve("nope.pt"), "Saliency").run(), "not found", "nope.pt", "torch.jit.save");
    }

    @Test
    void noModelGivenSaysSo() {
        Survey.error("model: none given", org.explainj.ExplainJException.class, () -> Fixtures.command(
                Fixtures.synth(), null, "Saliency").run(), "No model", "model=");
    }

    @Test
    void folderGivenAsModelSaysItIsAFolder() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("models.pt"));
        loadError("model: a folder", dir, "models.pt", "folder");
    }

    @Test
    void emptyFileIsNotTorchScript() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.pt"));
        loadError("model: empty file", empty, "empty.pt", "not a TorchScript model", "torch.jit");
    }

    @Test
    void textFileIsNotAZip() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.pt"), "this is not a model");
        loadError("model: not a zip", text, "notes.pt", "not a TorchScript model", "zip", "torch.jit");
    }

    @Test
    void stateDictSavedWithTorchSaveIsNamedAsSuch() {
        loadError("model: torch.save(state_dict)", Fixtures.STATE_DICT, "state_dict.pt", "not a TorchScript model",
                "torch.save", "torch.jit");
    }

    @Test
    void pickledEagerModuleIsNamedAsSuch() {
        loadError("model: torch.save(model)", Fixtures.EAGER_PICKLE, "eager_pickle.pt", "not a TorchScript model",
                "torch.save", "torch.jit");
    }

    @Test
    void zipOfOtherFilesIsNotTorchScript() throws IOException {
        Path zip = tmp.resolve("RoiSet.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("0001-0010.roi"));
            z.write(new byte[] {'I', 'o', 'u', 't', 0, (byte) 228});
            z.closeEntry();
        }
        loadError("model: a zip that is not TorchScript (RoiSet)", zip, "RoiSet.zip", "not a TorchScript model",
                "data.pkl", "torch.jit");
    }

    @Test
    void truncatedTorchScriptFileIsRefusedInJavaWithTheFileName() throws IOException {
        byte[] b = Files.readAllBytes(Fixtures.TINY);
        Path half = Files.write(tmp.resolve("half.pt"), java.util.Arrays.copyOf(b, b.length / 2));
        loadError("model: truncated TorchScript (half the file)", half, "half.pt", "export");
    }

    /** Flips one bit of a float in tensor data: the zip stays readable, only the entry's CRC-32 no longer fits. */
    @Test
    void bitFlipInTensorDataIsReportedAsADamagedFile() throws IOException {
        byte[] b = Files.readAllBytes(Fixtures.TINY);
        ArchiveFuzzMain.ZipLayout z = ArchiveFuzzMain.ZipLayout.of(b);
        int[] fc = z.data.get("tinycnn/data/24"); // fc.weight, 2 x 64 floats
        b[fc[0] + 3] ^= 0x20; // the exponent of the first weight
        Path damaged = Files.write(tmp.resolve("damaged.pt"), b);
        loadError("model: bit flip in tensor data", damaged, "damaged.pt", "damaged");
    }

    // ---- replaced on disk ---------------------------------------------------------------------------------------

    @Test
    void modelReplacedOnDiskIsReloaded() throws IOException {
        Path file = tmp.resolve("model.pt");
        Files.copy(Fixtures.TINY, file);
        ModelCache models = cache(tmp.resolve("cache"));
        TorchScriptModel first = models.get(file);
        float[] before = new Saliency().explain(first, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults())
                .values();
        Files.write(file, sameSizeOtherWeights(Files.readAllBytes(Fixtures.TINY)));
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        TorchScriptModel second = models.get(file);
        assertNotSame(first, second, "a changed file is loaded again");
        float[] after = new Saliency().explain(second, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults())
                .values();
        assertTrue(!java.util.Arrays.equals(before, after), "the new weights are used");
        Survey.record("model: replaced on disk (new mtime)", "reloaded: " + models.loads() + " loads");
    }

    /**
     * Retrained weights exported again have the same size; a copy that keeps the time stamp (cp -p, rsync -t,
     * unzip, a network share with 1-2 s resolution) or two writes within the file system's time resolution leave
     * the modification time unchanged too. The cache must not keep using the old weights.
     */
    @Test
    void modelReplacedWithSameSizeAndTimeStampIsReloaded() throws IOException {
        Path file = tmp.resolve("model.pt");
        Files.copy(Fixtures.TINY, file);
        FileTime mtime = Files.getLastModifiedTime(file);
        ModelCache models = cache(tmp.resolve("cache"));
        TorchScriptModel first = models.get(file);
        float[] before = new Saliency().explain(first, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults())
                .values();
        Files.write(file, sameSizeOtherWeights(Files.readAllBytes(Fixtures.TINY)));
        Files.setLastModifiedTime(file, mtime);
        TorchScriptModel second = models.get(file);
        float[] after = new Saliency().explain(second, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults())
                .values();
        Survey.record("model: replaced on disk (same size and mtime)", second == first
                ? "the cached model is returned: the old weights are explained" : "reloaded");
        assertNotSame(first, second, "the file's content changed, the cache returned the old model");
        assertTrue(!java.util.Arrays.equals(before, after));
    }

    /** tinycnn with fc.weight scaled by 2 and the CRC-32s fixed: a valid archive of exactly the same size. */
    static byte[] sameSizeOtherWeights(byte[] b) {
        b = b.clone();
        ArchiveFuzzMain.ZipLayout z = ArchiveFuzzMain.ZipLayout.of(b);
        int[] fc = z.data.get("tinycnn/data/24");
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = fc[0]; i < fc[1]; i += 4) {
            buf.putFloat(i, buf.getFloat(i) * 2);
        }
        fixCrc(b, "tinycnn/data/24", fc);
        return b;
    }

    /** Writes the entry's new CRC-32 into its local header and its central directory record. */
    static void fixCrc(byte[] b, String entry, int[] range) {
        CRC32 crc = new CRC32();
        crc.update(b, range[0], range[1] - range[0]);
        int value = (int) crc.getValue();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = entry.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int p = 0; p + 46 < b.length; p++) {
            int sig = buf.getInt(p);
            if (sig == 0x04034b50 && (buf.getShort(p + 26) & 0xffff) == name.length
                    && java.util.Arrays.equals(b, p + 30, p + 30 + name.length, name, 0, name.length)) {
                buf.putInt(p + 14, value);
            } else if (sig == 0x02014b50 && (buf.getShort(p + 28) & 0xffff) == name.length
                    && java.util.Arrays.equals(b, p + 46, p + 46 + name.length, name, 0, name.length)) {
                buf.putInt(p + 16, value);
            }
        }
    }

    // ---- the prepared copy in the cache folder -----------------------------------------------------------------

    private float[][] explainWithNewCache(Path cacheDir, Path file) {
        ModelCache models = cache(cacheDir);
        TorchScriptModel m = models.get(file);
        float[] s = new Saliency().explain(m, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults()).values();
        float[] g = new GradCam().explain(m, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults()
                .with(Options.LAYER, "features.relu4")).values();
        models.clear();
        return new float[][] {s, g};
    }

    private static Path preparedCopy(Path cacheDir) throws IOException {
        try (Stream<Path> s = Files.list(cacheDir.resolve("prepared"))) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".pt")).toList();
            assertEquals(1, all.size(), "one prepared copy: " + all);
            return all.get(0);
        }
    }

    /** Loads with a damaged prepared copy: layers must still be available and give the intact results. */
    private void damagedPreparedCopyIsRebuilt(String kase, java.util.function.UnaryOperator<byte[]> damage)
            throws IOException {
        Path file = Files.copy(Fixtures.TINY, tmp.resolve("tiny.pt"));
        Path cacheDir = tmp.resolve("cache");
        float[][] intact = explainWithNewCache(cacheDir, file);
        Path prepared = preparedCopy(cacheDir);
        Files.write(prepared, damage.apply(Files.readAllBytes(prepared)));

        ModelCache models = cache(cacheDir);
        TorchScriptModel m = models.get(file);
        String seen = m.layersAvailable() ? "layers available" : "layers NOT available: " + m.notPreparedReason();
        float[] s = new Saliency().explain(m, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults()).values();
        String gradCam;
        float[] g = null;
        try {
            g = new GradCam().explain(m, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults()
                    .with(Options.LAYER, "features.relu4")).values();
            gradCam = java.util.Arrays.equals(g, intact[1]) ? "Grad-CAM as before" : "Grad-CAM DIFFERENT";
        } catch (LayerException e) {
            gradCam = "Grad-CAM: " + e.getMessage();
        }
        Survey.record(kase, seen + "; Saliency " + (java.util.Arrays.equals(s, intact[0]) ? "as before"
                : "DIFFERENT") + "; " + gradCam);
        assertTrue(m.layersAvailable(), "the damaged prepared copy was not rebuilt: " + m.notPreparedReason());
        assertArrayEquals(intact[0], s, "Saliency with the rebuilt copy");
        assertArrayEquals(intact[1], g, "Grad-CAM with the rebuilt copy");
    }

    @Test
    void truncatedPreparedCopyIsRebuilt() throws IOException {
        damagedPreparedCopyIsRebuilt("cache: truncated prepared copy", b -> java.util.Arrays.copyOf(b, b.length / 3));
    }

    @Test
    void bitFlippedPreparedCopyIsRebuilt() throws IOException {
        damagedPreparedCopyIsRebuilt("cache: bit flip in the prepared copy's tensor data", b -> {
            ArchiveFuzzMain.ZipLayout z = ArchiveFuzzMain.ZipLayout.of(b);
            int[] w = z.data.get("tinycnn/data/18"); // features.conv4.weight
            byte[] d = b.clone();
            d[w[0] + 3] ^= 0x20;
            return d;
        });
    }

    @Test
    void emptyPreparedCopyIsRebuilt() throws IOException {
        // (an empty file: e.g. a disk that was full when the copy was written by an older version)
        damagedPreparedCopyIsRebuilt("cache: empty prepared copy", b -> new byte[0]);
    }

    @Test
    void unwritableCacheFolderKeepsSaliencyAndSaysHowToSetTheCache() throws IOException {
        Path notAFolder = Files.writeString(tmp.resolve("cache-is-a-file"), "x");
        Path file = Files.copy(Fixtures.TINY, tmp.resolve("tiny.pt"));
        ModelCache models = cache(notAFolder);
        TorchScriptModel m = models.get(file);
        new Saliency().explain(m, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults());
        Survey.error("cache: cache folder not writable (Grad-CAM)", LayerException.class, () -> new GradCam()
                .explain(m, Fixtures.synthInput(), Target.TOP, ExplainOptions.defaults().with(Options.LAYER, "features.relu4")),
                "tiny.pt", "cache", "explainj.cache");
    }
}
