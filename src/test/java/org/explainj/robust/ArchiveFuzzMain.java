package org.explainj.robust;

import org.explainj.explain.Options;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * START i crc=ok|bad|unreadable kind entry offset description
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
                .with(Options.LAYER, LAYER)).values();
        cache.clear();
        out.println("READY " + all.size());
        for (int i = first; i < all.size(); i++) {
            Corruption c = all.get(i);
            out.println("START " + i + " " + crc(c.apply(pristine)) + " " + c.describe());
            Path file = work.resolve("c" + i + ".pt");
            Files.write(file, c.apply(pristine));
            String result;
            try {
                result = run(cache, file, input, refSaliency, refGradCam);
            } catch (Throwable t) {
                result = "RAW " + t.getClass().getName() + " " + oneLine(t.getMessage()) + " at "
                        + frames(t);
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
                        : new GradCam().explain(m, input, Target.TOP, ExplainOptions.defaults().with(Options.LAYER, LAYER));
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

    /** The first stack frames of a raw exception (where the bug is). */
    private static String frames(Throwable t) {
        StringBuilder sb = new StringBuilder();
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(4, st.length); i++) {
            sb.append(i == 0 ? "" : " < ").append(st[i].getClassName().replaceAll(".*\\.", "")).append('.')
                    .append(st[i].getMethodName()).append(':').append(st[i].getLineNumber());
        }
        return sb.toString();
    }

    /**
     * Whether the zip's own checksums catch the corruption: {@code crc=ok} when Java reads every entry and each
     * entry's CRC-32 matches the central directory, {@code crc=bad} when one does not, {@code crc=unreadable} when
     * java.util.zip cannot read the archive at all.
     */
    static String crc(byte[] archive) {
        try {
            Path tmp = Files.createTempFile("crc", ".zip");
            try {
                Files.write(tmp, archive);
                try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(tmp.toFile())) {
                    for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
                        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                        try (java.io.InputStream in = zip.getInputStream(e)) {
                            crc.update(in.readAllBytes());
                        }
                        if (crc.getValue() != e.getCrc()) {
                            return "crc=bad";
                        }
                    }
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return "crc=ok";
        } catch (IOException | RuntimeException e) {
            return "crc=unreadable";
        }
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
                      String note, PickleEdit edit) {

        Corruption(String kind, String entry, int offset, int truncateTo, int[] offsets, byte[] xor, String note) {
            this(kind, entry, offset, truncateTo, offsets, xor, note, null);
        }

        byte[] apply(byte[] pristine) {
            if (edit != null) {
                return edit.apply(pristine);
            }
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

    /**
     * A crafted change of data.pkl that keeps the archive valid: the bytes {@code [at, at + remove)} of the pickle
     * are replaced by {@code insert} and the zip is written again with correct sizes and CRC-32s (as a careless
     * writer, or ExplainJ's own prepared copy, would). The zip checksums cannot catch these.
     */
    record PickleEdit(String entry, int at, int remove, byte[] insert) {

        byte[] apply(byte[] pristine) {
            try {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                Path tmp = Files.createTempFile("pristine", ".zip");
                Files.write(tmp, pristine);
                try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(tmp.toFile());
                     java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(bytes)) {
                    for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
                        byte[] data;
                        try (java.io.InputStream in = zip.getInputStream(e)) {
                            data = in.readAllBytes();
                        }
                        if (e.getName().equals(entry)) {
                            byte[] d = new byte[data.length - remove + insert.length];
                            System.arraycopy(data, 0, d, 0, at);
                            System.arraycopy(insert, 0, d, at, insert.length);
                            System.arraycopy(data, at + remove, d, at + insert.length, data.length - at - remove);
                            data = d;
                        }
                        java.util.zip.ZipEntry ze = new java.util.zip.ZipEntry(e.getName());
                        ze.setMethod(java.util.zip.ZipEntry.STORED);
                        ze.setSize(data.length);
                        ze.setCompressedSize(data.length);
                        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                        crc.update(data);
                        ze.setCrc(crc.getValue());
                        out.putNextEntry(ze);
                        out.write(data);
                        out.closeEntry();
                    }
                }
                Files.delete(tmp);
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /** Little-endian BININT opcode {@code J} with its operand. */
    private static byte[] binint(int v) {
        return new byte[] {'J', (byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    /**
     * Crafted, checksum-valid changes of the first 1-D tensor in data.pkl ({@code ... Q q n K 0 ( K size t ( K 1 t}):
     * a huge stride, a size larger than the storage, a storage offset beyond it, and a memo index (LONG_BINPUT) of
     * 2^29 instead of a BINPUT.
     */
    static List<Corruption> crafted(byte[] b, ZipLayout z, String pkl) {
        int[] r = z.data.get(pkl);
        String text = new String(b, r[0], r[1] - r[0], StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Qq.K\\x00\\(K(.)t\\(K\\x01t",
                java.util.regex.Pattern.DOTALL).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no 1-D tensor in " + pkl);
        }
        int q = m.start() + 1;               // BINPUT q n
        int offsetOp = m.start() + 3;        // K 0
        int sizeOp = m.start() + 6;          // K size
        int strideOp = m.start() + 10;       // K 1
        int size = text.charAt(sizeOp + 1);
        List<Corruption> list = new ArrayList<>();
        list.add(new Corruption("crafted-stride", pkl, r[0] + strideOp, -1, null, null,
                "stride_1_->_2^28_(valid_CRC)", new PickleEdit(pkl, strideOp, 2, binint(1 << 28))));
        list.add(new Corruption("crafted-size", pkl, r[0] + sizeOp, -1, null, null,
                "size_" + size + "_->_2^24_(valid_CRC)", new PickleEdit(pkl, sizeOp, 2, binint(1 << 24))));
        list.add(new Corruption("crafted-offset", pkl, r[0] + offsetOp, -1, null, null,
                "storage_offset_0_->_2^28_(valid_CRC)", new PickleEdit(pkl, offsetOp, 2, binint(1 << 28))));
        byte[] longPut = binint(1 << 29);
        longPut[0] = 'r';
        list.add(new Corruption("crafted-memo", pkl, r[0] + q, -1, null, null,
                "BINPUT_->_LONG_BINPUT_2^29_(valid_CRC)", new PickleEdit(pkl, q, 2, longPut)));
        return list;
    }

    /** Regions of a zip archive: local headers, padding (extra fields), entry data, central directory, end. */
    static final class ZipLayout {
        final Map<String, int[]> data = new LinkedHashMap<>(); // entry -> [start, end)
        final Map<String, int[]> localHeaders = new LinkedHashMap<>(); // entry -> its fixed 30 bytes + name
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
                z.localHeaders.put(name, new int[] {local, local + 30 + lnl});
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
        list.addAll(crafted(b, z, pkl));
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
                List<String> names = new ArrayList<>(z.localHeaders.keySet());
                String e = names.get(rnd.nextInt(names.size()));
                return flipIn(kind, "(local header of " + e + ")", z.localHeaders.get(e), rnd);
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
}
