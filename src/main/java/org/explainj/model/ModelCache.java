package org.explainj.model;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads each model file once and keeps it while the file is unchanged (same size and modification time).
 * The prepared (rewritten) copy of the archive lives in a cache folder keyed by the file's SHA-256, so it is made
 * once per model content, also across sessions. The user's file is only ever read.
 */
public final class ModelCache {

    /** Bump when the rewriter's output changes, so old prepared copies are not reused. */
    static final int REWRITE_VERSION = 5;

    private static final ModelCache SHARED = new ModelCache(defaultCacheDir());

    private record Entry(FileStamp stamp, TorchScriptModel model) {
    }

    private final Path cacheDir;
    private final Map<Path, Entry> models = new LinkedHashMap<>();
    private int loads;
    private int rewrites;

    public ModelCache(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /** The process-wide cache (what the ImageJ commands use). */
    public static ModelCache shared() {
        return SHARED;
    }

    /**
     * Where prepared archives go: system property {@code explainj.cache}, else environment variable
     * {@code EXPLAINJ_CACHE}, else {@code ~/.cache/explainj}.
     */
    public static Path defaultCacheDir() {
        String p = System.getProperty("explainj.cache");
        if (p == null || p.isBlank()) {
            p = System.getenv("EXPLAINJ_CACHE");
        }
        if (p == null || p.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "explainj");
        }
        return Path.of(p);
    }

    /** Returns the loaded model for a file, loading it if it is new or changed on disk. */
    public synchronized TorchScriptModel get(Path file) {
        Path key = file.toAbsolutePath().normalize();
        if (Files.isDirectory(key)) {
            throw new ModelException("The model path " + file + " is a folder: give the TorchScript file (.pt) "
                    + "saved with torch.jit.save, not its folder.");
        }
        if (!Files.isRegularFile(key)) {
            throw new ModelException("Model file not found: " + file + (file.isAbsolute() ? "" : " (looked for "
                    + key + ")") + ". Give the path of a TorchScript file (.pt) saved with torch.jit.save.");
        }
        FileStamp stamp = FileStamp.of(key);
        Entry e = models.get(key);
        if (e != null && e.stamp.equals(stamp)) {
            return e.model;
        }
        if (e != null) {
            models.remove(key);
            e.model.close();
        }
        TorchScriptModel model = load(key, recordedSha256(key, cacheDir, stamp));
        models.put(key, new Entry(stamp, model));
        return model;
    }

    /**
     * What says a file is unchanged: its size, time stamp and the CRC-32 of its last 64 KB — for a zip, the central
     * directory, which holds every entry's CRC-32, so new weights of the same size (and time stamp) change it.
     */
    private record FileStamp(long size, long modified, long tail) {

        static FileStamp of(Path file) {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                long size = ch.size();
                long modified = Files.getLastModifiedTime(file).toMillis();
                int n = (int) Math.min(size, 1 << 16);
                java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(n);
                ch.position(size - n);
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // read the tail
                }
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(buf.flip());
                return new FileStamp(size, modified, crc.getValue());
            } catch (IOException e) {
                throw new ModelException("Cannot read the file " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The SHA-256 of a zip file (a TorchScript archive, a package's .zip), from the record {@code cacheDir} keeps of
     * an earlier session when the file still has the same size, time stamp and central directory (which holds every
     * entry's CRC-32, so other contents change it); else computed (about 0.1 s for 50 MB) and recorded. Saves hashing
     * the whole file at the first use of every session.
     */
    public static String recordedSha256(Path file, Path cacheDir) {
        return recordedSha256(file, cacheDir, FileStamp.of(file));
    }

    private static String recordedSha256(Path file, Path cacheDir, FileStamp s) {
        Path record = cacheDir.resolve("hashes").resolve(sha256(file.toAbsolutePath().normalize().toString()
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".txt");
        String stamp = s.size() + " " + s.modified() + " " + s.tail() + " ";
        try {
            if (Files.isRegularFile(record)) {
                String line = Files.readString(record).trim();
                if (line.startsWith(stamp) && line.substring(stamp.length()).matches("[0-9a-f]{64}")) {
                    return line.substring(stamp.length());
                }
            }
        } catch (IOException e) {
            // computed below
        }
        String sha = sha256(file);
        try {
            Files.createDirectories(record.getParent());
            Path tmp = Files.createTempFile(record.getParent(), "hash", ".tmp");
            Files.writeString(tmp, stamp + sha + "\n");
            Files.move(tmp, record, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // not recorded: hashed again next session
        }
        return sha;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many times a model file was loaded (for tests and benchmarks). */
    public synchronized int loads() {
        return loads;
    }

    /** How many times an archive was rewritten (not found in the cache folder). */
    public synchronized int rewrites() {
        return rewrites;
    }

    /** Closes every model. */
    public synchronized void clear() {
        models.values().forEach(en -> en.model.close());
        models.clear();
    }

    private TorchScriptModel load(Path file, String sha) {
        Engines.pytorch();
        TorchScriptArchive archive = TorchScriptArchive.read(file);
        loads++;
        ModuleTree tree;
        TapRewriter.Result rewritten;
        try {
            tree = ModuleTree.of(archive);
            rewritten = new TapRewriter(tree).rewrite();
        } catch (ModelException ex) {
            Model m = loadDjl(file, file);
            return new TorchScriptModel(file, sha, null, m, RewriteInfo.unavailable(ex.getMessage()),
                    CopyCheck.memory());
        }
        String reason;
        try {
            Path prepared = preparedCopy(archive, sha, rewritten.files());
            try {
                return new TorchScriptModel(file, sha, tree, loadDjl(prepared, file), rewritten.info(),
                        new CheckFile(checksFile(sha)));
            } catch (ModelException ex) {
                reason = "libtorch rejected the prepared copy (" + ex.getMessage() + "). Please report this model "
                        + "structure.";
                deleteQuietly(prepared);
            }
        } catch (ModelException ex) {
            reason = ex.getMessage();
        }
        return new TorchScriptModel(file, sha, tree, loadDjl(file, file), RewriteInfo.unavailable(reason),
                CopyCheck.memory());
    }

    private Path checksFile(String sha) {
        return cacheDir.resolve("prepared").resolve(sha + "-v" + REWRITE_VERSION + ".checks");
    }

    /**
     * The verdicts of {@link CopyCheck} for one prepared copy, one line each ({@code key<TAB>verdict}); written
     * whole to a temporary file and moved into place, so a reader never sees half a file.
     */
    private static final class CheckFile implements CopyCheck.Store {
        private final Path path;

        CheckFile(Path path) {
            this.path = path;
        }

        @Override
        public synchronized String get(String key) {
            return read().get(key);
        }

        @Override
        public synchronized void put(String key, String verdict) {
            Map<String, String> all = read();
            all.put(key, verdict.replace('\n', ' ').replace('\t', ' '));
            StringBuilder sb = new StringBuilder();
            all.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
            try {
                Path tmp = Files.createTempFile(path.getParent(), "checks", ".tmp");
                Files.writeString(tmp, sb);
                Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // the verdict is kept in memory for this session; the check runs again next time
            }
        }

        private Map<String, String> read() {
            Map<String, String> m = new LinkedHashMap<>();
            try {
                if (Files.isRegularFile(path)) {
                    for (String line : Files.readAllLines(path)) {
                        int tab = line.indexOf('\t');
                        if (tab > 0) {
                            m.put(line.substring(0, tab), line.substring(tab + 1));
                        }
                    }
                }
            } catch (IOException e) {
                // unreadable: checked again
            }
            return m;
        }
    }

    private Path preparedCopy(TorchScriptArchive archive, String sha, Map<String, String> code) {
        Path target = cacheDir.resolve("prepared").resolve(sha + "-v" + REWRITE_VERSION + ".pt");
        if (Files.isRegularFile(target)) {
            try {
                TorchScriptArchive.read(target); // checks every entry's CRC-32
                return target;
            } catch (ModelException damaged) {
                deleteQuietly(target); // rewritten below
            }
        }
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), sha, ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                archive.writeWithCode(code, out);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException ex) {
            throw new ModelException("Cannot write the prepared model copy to " + target.getParent() + ": "
                    + ex.getMessage() + ". Set the cache folder with -Dexplainj.cache=<folder> or EXPLAINJ_CACHE.",
                    ex);
        }
        rewrites++;
        deleteQuietly(checksFile(sha)); // verdicts about an earlier copy
        return target;
    }

    private static Model loadDjl(Path file, Path userFile) {
        Model model = Model.newInstance("explainj", "PyTorch");
        try {
            model.load(file, null, Map.of("trainParam", "true"));
            return model;
        } catch (IOException | MalformedModelException | RuntimeException ex) {
            model.close();
            throw new ModelException("libtorch could not load " + userFile.getFileName() + ": "
                    + TorchScriptModel.firstLine(ex.getMessage()) + ". The file may be damaged or written by a torch "
                    + "version libtorch 2.7.1 cannot read: copy it again, or export it again with torch.jit.save.",
                    ex);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a stale copy is rewritten next time anyway
        }
    }

    /** The SHA-256 of a file, in hex (how the cache keys a model file). */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new ModelException("Cannot read the model file " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
