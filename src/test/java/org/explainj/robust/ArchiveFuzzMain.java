package org.explainj.robust;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.explainj.ExplainJException;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Target;
import org.explainj.explain.cam.GradCam;
import org.explainj.explain.gradient.Saliency;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;

/**
 * The child JVM of {@link ArchiveFuzzTest}: corrupts a TorchScript archive in many deterministic ways, loads each
 * corrupted copy through {@link ModelCache} and explains it (Saliency and Grad-CAM at {@code features.relu4}), and
 * reports one line per corruption on stdout:
 *
 * <pre>
 * START i kind entry offset description
 * RESULT i outcome exception-class message
 * </pre>
 *
 * A native crash kills this JVM between START and RESULT; the parent notices, records the case and starts a new
 * child from the next index. Usage: {@code ArchiveFuzzMain model workDir seed count first}.
 */
public final class ArchiveFuzzMain {

    /** Where the reference explanation is computed (the tinycnn's last ReLU). */
    static final String LAYER = "features.relu4";

    private ArchiveFuzzMain() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path work = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        int count = Integer.parseInt(args[3]);
        int first = Integer.parseInt(args[4]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        byte[] pristine = Files.readAllBytes(model);
        List<Corruption> all = corruptions(pristine, seed, count);
        Files.createDirectories(work);
        Path cacheDir = work.resolve("cache");
        ModelCache cache = new ModelCache(cacheDir);
        ModelInput input = input();
        Path clean = work.resolve("pristine.pt");
        Files.write(clean, pristine);
        TorchScriptModel ref = cache.get(clean);
        float[] refSaliency = new Saliency().explain(ref, input, Target.TOP, ExplainOptions.defaults()).values();
        float[] refGradCam = new GradCam().explain(ref, input, Target.TOP, ExplainOptions.defaults()
                .withLayer(LAYER)).values();
        cache.clear();
        out.println("READY " + all.size());
        for (int i = first; i < all.size(); i++) {
            Corruption c = all.get(i);
            out.println("START " + i + " " + c.describe());
            Path file = work.resolve("c" + i + ".pt");
            Files.write(file, c.apply(pristine));
            String result;
            try {
                result = run(cache, file, input, refSaliency, refGradCam);
            } catch (Throwable t) {
                result = "RAW " + t.getClass().getName() + " " + oneLine(t.getMessage());
            } finally {
                cache.clear();
                Files.deleteIfExists(file);
                clearPrepared(cacheDir);
            }
            out.println("RESULT " + i + " " + result);
        }
        out.println("DONE");
        System.exit(0);
    }

    /** HARMLESS, DIFFERENT (a result that differs from the pristine model's), ERROR (ExplainJException) or RAW. */
    private static String run(ModelCache cache, Path file, ModelInput input, float[] refSaliency,
                              float[] refGradCam) {
        TorchScriptModel m;
        try {
            m = cache.get(file);
        } catch (ExplainJException e) {
            return "ERROR " + e.getClass().getSimpleName() + " load: " + oneLine(e.getMessage());
        }
        List<String> outcomes = new ArrayList<>();
        String error = null;
        boolean different = false;
        for (int k = 0; k < 2; k++) {
            try {
                Attribution a = k == 0 ? new Saliency().explain(m, input, Target.TOP, ExplainOptions.defaults())
                        : new GradCam().explain(m, input, Target.TOP, ExplainOptions.defaults().withLayer(LAYER));
                boolean same = Arrays.equals(a.values(), k == 0 ? refSaliency : refGradCam);
                different |= !same;
                outcomes.add((k == 0 ? "saliency=" : "gradcam=") + (same ? "same" : "different"));
            } catch (ExplainJException e) {
                if (error == null) {
                    error = e.getClass().getSimpleName() + " " + (k == 0 ? "saliency" : "gradcam") + ": "
                            + oneLine(e.getMessage());
                }
                outcomes.add((k == 0 ? "saliency=" : "gradcam=") + "error");
            }
        }
        if (different) {
            return "DIFFERENT - " + String.join(",", outcomes) + (error == null ? "" : " (" + error + ")");
        }
        if (error != null) {
            return "ERROR " + error;
        }
        return "HARMLESS - " + String.join(",", outcomes);
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        String t = s.replace('\n', ' ').replace('\r', ' ');
        return t.length() > 400 ? t.substring(0, 400) + "..." : t;
    }

    private static void clearPrepared(Path cacheDir) throws IOException {
        Path prepared = cacheDir.resolve("prepared");
        if (!Files.isDirectory(prepared)) {
            return;
        }
        try (Stream<Path> s = Files.list(prepared)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static ModelInput input() {
        Npy x = Resources.npy("reference/inputs/synth_pos0_model_input.npy");
        return new ModelInput(x.data(), 1, 64, 64);
    }

    // ---------------------------------------------------------------------------------------------------------
    // corruptions

    /** One corruption of the archive bytes: a truncation, or bytes XOR-ed with masks at offsets. */
    record Corruption(String kind, String entry, int offset, int truncateTo, int[] offsets, byte[] xor,
                      String note) {

        byte[] apply(byte[] pristine) {
            if (truncateTo >= 0) {
                return Arrays.copyOf(pristine, truncateTo);
            }
            byte[] b = pristine.clone();
            for (int i = 0; i < offsets.length; i++) {
                b[offsets[i]] ^= xor[i];
            }
            return b;
        }

        String describe() {
            return kind + " " + entry + " " + offset + " " + note;
        }
    }

    /** Regions of a zip archive: local headers, padding (extra fields), entry data, central directory, end. */
    static final class ZipLayout {
        final Map<String, int[]> data = new LinkedHashMap<>(); // entry -> [start, end)
        final List<int[]> localHeaders = new ArrayList<>();   // fixed 30 bytes + name
        final Map<String, int[]> padding = new LinkedHashMap<>(); // extra field contents (after id + size)
        int centralStart;
        int centralEnd;  // start of the end records (zip64 end, locator, end of central directory)
        int end;

        static ZipLayout of(byte[] b) {
            ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            int eocd = -1;
            for (int i = b.length - 22; i >= 0; i--) {
                if (buf.getInt(i) == 0x06054b50) {
                    eocd = i;
                    break;
                }
            }
            if (eocd < 0) {
                throw new IllegalArgumentException("no end of central directory");
            }
            ZipLayout z = new ZipLayout();
            z.end = b.length;
            int entries = buf.getShort(eocd + 10) & 0xffff;
            z.centralStart = buf.getInt(eocd + 16);
            int p = z.centralStart;
            for (int k = 0; k < entries; k++) {
                if (buf.getInt(p) != 0x02014b50) {
                    throw new IllegalArgumentException("bad central header at " + p);
                }
                int csize = buf.getInt(p + 20);
                int nl = buf.getShort(p + 28) & 0xffff;
                int el = buf.getShort(p + 30) & 0xffff;
                int cl = buf.getShort(p + 32) & 0xffff;
                int local = buf.getInt(p + 42);
                String name = new String(b, p + 46, nl, StandardCharsets.UTF_8);
                int lnl = buf.getShort(local + 26) & 0xffff;
                int lel = buf.getShort(local + 28) & 0xffff;
                z.localHeaders.add(new int[] {local, local + 30 + lnl});
                if (lel > 4) {
                    z.padding.put(name, new int[] {local + 30 + lnl + 4, local + 30 + lnl + lel});
                }
                int start = local + 30 + lnl + lel;
                z.data.put(name, new int[] {start, start + csize});
                p += 46 + nl + el + cl;
            }
            z.centralEnd = p;
            return z;
        }
    }

    /**
     * The fixed, seeded list of corruptions: truncations; bit flips in data.pkl, in its integers (tensor sizes,
     * offsets, storage sizes), in the code, in tensor data, in other entries, in local headers, in the padding,
     * in the central directory and in the end records; and overwritten runs of bytes.
     */
    static List<Corruption> corruptions(byte[] b, long seed, int count) {
        ZipLayout z = ZipLayout.of(b);
        Random rnd = new Random(seed);
        String pkl = z.data.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
        List<String> code = z.data.keySet().stream().filter(n -> n.contains("/code/") && n.endsWith(".py")).toList();
        List<String> tensors = z.data.keySet().stream().filter(n -> n.matches(".*/data/\\d+")).toList();
        List<String> others = z.data.keySet().stream().filter(n -> n.endsWith(".debug_pkl")
                || n.endsWith("/constants.pkl") || n.endsWith("/version")).toList();
        int[] pklRange = z.data.get(pkl);
        List<int[]> pklInts = pickleIntegers(b, pklRange[0], pklRange[1]);
        // weights of the kinds, out of 260
        String[] kinds = {"truncate", "flip-data.pkl", "pickle-int", "flip-code", "flip-tensor", "flip-local-header",
            "flip-central-directory", "flip-end-records", "flip-padding", "flip-other-entry", "overwrite-run"};
        int[] weights = {30, 35, 25, 35, 30, 25, 30, 10, 15, 15, 10};
        List<Corruption> list = new ArrayList<>();
        int total = Arrays.stream(weights).sum();
        for (int k = 0; k < kinds.length; k++) {
            int n = Math.max(1, (int) Math.round((double) weights[k] * count / total));
            for (int i = 0; i < n; i++) {
                list.add(make(kinds[k], b, z, rnd, pkl, code, tensors, others, pklInts));
            }
        }
        return list;
    }

    private static Corruption make(String kind, byte[] b, ZipLayout z, Random rnd, String pkl, List<String> code,
                                   List<String> tensors, List<String> others, List<int[]> pklInts) {
        switch (kind) {
            case "truncate": {
                // a third anywhere, a third in the tensor data / code, a third in the trailing zip structures
                int r = rnd.nextInt(3);
                int to = r == 0 ? rnd.nextInt(b.length) : r == 1 ? rnd.nextInt(z.centralStart)
                        : z.centralStart + rnd.nextInt(b.length - z.centralStart);
                return new Corruption(kind, entryAt(z, to), to, to, null, null, "length " + to + " of " + b.length);
            }
            case "flip-data.pkl":
                return flipIn(kind, pkl, z.data.get(pkl), rnd);
            case "pickle-int": {
                int[] site = pklInts.get(rnd.nextInt(pklInts.size()));
                int off = site[0];
                int width = site[1];
                long[] candidates = {0, 1, 2, 7, 255, 65535, 0x7fffffffL, 0xffffffffL, 0x80000000L, 1000};
                long v = candidates[rnd.nextInt(candidates.length)];
                int[] offs = new int[width];
                byte[] xor = new byte[width];
                for (int i = 0; i < width; i++) {
                    offs[i] = off + i;
                    xor[i] = (byte) (b[off + i] ^ (byte) (v >>> (8 * i)));
                }
                long old = 0;
                for (int i = width - 1; i >= 0; i--) {
                    old = (old << 8) | (b[off + i] & 0xff);
                }
                return new Corruption(kind, pkl, off, -1, offs, xor, width + "-byte int " + old + " -> "
                        + (width == 4 ? (int) v : v & ((1L << (8 * width)) - 1)));
            }
            case "flip-code": {
                String e = code.get(rnd.nextInt(code.size()));
                return flipIn(kind, e, z.data.get(e), rnd);
            }
            case "flip-tensor": {
                String e = tensors.get(rnd.nextInt(tensors.size()));
                return flipIn(kind, e, z.data.get(e), rnd);
            }
            case "flip-other-entry": {
                String e = others.get(rnd.nextInt(others.size()));
                return flipIn(kind, e, z.data.get(e), rnd);
            }
            case "flip-local-header": {
                int[] h = z.localHeaders.get(rnd.nextInt(z.localHeaders.size()));
                return flipIn(kind, "(local header of " + entryAt(z, h[1] + 1) + ")", h, rnd);
            }
            case "flip-padding": {
                List<String> names = new ArrayList<>(z.padding.keySet());
                String e = names.get(rnd.nextInt(names.size()));
                return flipIn(kind, "(padding before " + e + ")", z.padding.get(e), rnd);
            }
            case "flip-central-directory":
                return flipIn(kind, "(central directory)", new int[] {z.centralStart, z.centralEnd}, rnd);
            case "flip-end-records":
                return flipIn(kind, "(end records)", new int[] {z.centralEnd, z.end}, rnd);
            case "overwrite-run": {
                int len = 16;
                int off = rnd.nextInt(b.length - len);
                int[] offs = new int[len];
                byte[] xor = new byte[len];
                for (int i = 0; i < len; i++) {
                    offs[i] = off + i;
                    xor[i] = (byte) (b[off + i] ^ (byte) rnd.nextInt(256));
                }
                return new Corruption(kind, entryAt(z, off), off, -1, offs, xor, "16 random bytes");
            }
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    private static Corruption flipIn(String kind, String entry, int[] range, Random rnd) {
        int off = range[0] + rnd.nextInt(range[1] - range[0]);
        int bit = rnd.nextInt(8);
        return new Corruption(kind, entry.replace(' ', '_'), off, -1, new int[] {off},
                new byte[] {(byte) (1 << bit)}, "bit " + bit);
    }

    /** The entry (or zip structure) that holds byte {@code off}. */
    static String entryAt(ZipLayout z, int off) {
        for (Map.Entry<String, int[]> e : z.data.entrySet()) {
            if (off >= e.getValue()[0] && off < e.getValue()[1]) {
                return e.getKey();
            }
        }
        if (off >= z.centralStart && off < z.centralEnd) {
            return "(central_directory)";
        }
        if (off >= z.centralEnd) {
            return "(end_records)";
        }
        return "(local_header_or_padding)";
    }

    /**
     * The operands of the integer opcodes of a protocol-2 pickle: {@code [offset, width]} for BININT1 (K, 1
     * byte), BININT2 (M, 2) and BININT (J, 4). Walks the opcodes torch.jit.save writes; stops at an unknown one.
     */
    static List<int[]> pickleIntegers(byte[] b, int start, int end) {
        List<int[]> ints = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int p = start;
        while (p < end) {
            int op = b[p] & 0xff;
            p++;
            switch (op) {
                case 0x80: p += 1; break;                         // PROTO
                case 'c': p = indexOf(b, '\n', indexOf(b, '\n', p, end) + 1, end) + 1; break; // GLOBAL
                case 'X': p += 4 + buf.getInt(p); break;          // BINUNICODE
                case 'B': p += 4 + buf.getInt(p); break;          // BINBYTES
                case 'C': case 0x8c: case 'U': p += 1 + (b[p] & 0xff); break;
                case 'q': case 'h': p += 1; break;                // BINPUT, BINGET
                case 'r': case 'j': p += 4; break;                // LONG_BINPUT, LONG_BINGET
                case 'K': ints.add(new int[] {p, 1}); p += 1; break;
                case 'M': ints.add(new int[] {p, 2}); p += 2; break;
                case 'J': ints.add(new int[] {p, 4}); p += 4; break;
                case 'G': p += 8; break;                          // BINFLOAT
                case 0x8a: p += 1 + (b[p] & 0xff); break;         // LONG1
                case 0x95: p += 8; break;                         // FRAME
                case '(': case ')': case 0x85: case 0x86: case 0x87: case 't': case '}': case ']': case 'u':
                case 's': case 'e': case 'a': case 'Q': case 'R': case 'b': case 0x81: case 0x88: case 0x89:
                case 'N': case 0x94:
                    break;
                case '.':
                    return ints;
                default:
                    return ints;
            }
        }
        return ints;
    }

    private static int indexOf(byte[] b, char c, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return end;
    }

    /** Prints the corruption list (for the report): {@code ArchiveFuzzMain --list model seed count}. */
    static void list(Path model, long seed, int count) throws IOException {
        List<Corruption> all = corruptions(Files.readAllBytes(model), seed, count);
        all.sort(Comparator.comparing(Corruption::kind));
        all.forEach(c -> System.out.println(c.describe()));
    }
}
