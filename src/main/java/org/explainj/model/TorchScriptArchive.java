package org.explainj.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The entries of a TorchScript file (a zip archive: {@code <root>/data.pkl}, {@code <root>/code/__torch__/...py},
 * {@code <root>/data/N} tensors...). Read-only view plus a writer for an edited copy; the source file is never touched.
 */
public final class TorchScriptArchive {

    private final String root;
    private final Map<String, byte[]> entries;

    private TorchScriptArchive(String root, Map<String, byte[]> entries) {
        this.root = root;
        this.entries = entries;
    }

    /** Reads a TorchScript archive; fails with a message naming the file when it is not one. */
    public static TorchScriptArchive read(Path file) {
        String name = file.getFileName().toString();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry e = all.nextElement();
                if (!e.isDirectory()) {
                    byte[] data;
                    try (InputStream in = zip.getInputStream(e)) {
                        data = in.readAllBytes();
                    } catch (IOException ex) {
                        throw damaged(name, "its entry " + e.getName() + " cannot be read (" + ex.getMessage() + ")");
                    }
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) {
                        throw damaged(name, "its entry " + e.getName() + " does not match its CRC-32 checksum");
                    }
                    entries.put(e.getName(), data);
                }
            }
        } catch (ModelException e) {
            throw e;
        } catch (ZipException | IllegalArgumentException e) {
            throw new ModelException("The model file " + name + " is not a readable zip archive (" + e.getMessage()
                    + "): it is damaged or incomplete (copy or download it again), or not a TorchScript model "
                    + "(export it with torch.jit.trace(model.eval(), example).save(\"model.pt\") or "
                    + "torch.jit.script(model.eval()).save(\"model.pt\")).");
        } catch (IOException e) {
            throw new ModelException("Cannot read the model file " + file + ": " + e.getMessage()
                    + ". Check that the path is right and the file is readable.", e);
        }
        if (entries.isEmpty()) {
            throw notTorchScript(name, "it is not a zip archive");
        }
        String root = null;
        for (String entry : entries.keySet()) {
            int slash = entry.indexOf('/');
            if (slash > 0 && entry.endsWith("/data.pkl") && entry.indexOf('/', slash + 1) < 0) {
                root = entry.substring(0, slash);
                break;
            }
        }
        if (root == null) {
            throw notTorchScript(name, "the archive has no <name>/data.pkl entry (is it a state_dict saved with "
                    + "torch.save instead of torch.jit.save?), and it is not a bioimage.io package either (no "
                    + "rdf.yaml or bioimageio.yaml)");
        }
        String bad = PickleCheck.check(entries.get(root + "/data.pkl"), entries, root);
        if (bad != null) {
            throw damaged(name, "its data.pkl is inconsistent: " + bad);
        }
        boolean hasCode = false;
        for (String entry : entries.keySet()) {
            hasCode |= entry.startsWith(root + "/code/") && entry.endsWith(".py");
        }
        if (!hasCode) {
            throw notTorchScript(name, "the archive has no code/ folder (a torch.save checkpoint or a "
                    + "torch.export/ExecuTorch file?)");
        }
        return new TorchScriptArchive(root, entries);
    }

    private static ModelException damaged(String name, String why) {
        return new ModelException("The model file " + name + " is damaged: " + why + ". It changed after it was "
                + "saved (an incomplete copy or download, a disk error): copy it again or export it again with "
                + "torch.jit.save.");
    }

    private static ModelException notTorchScript(String name, String why) {
        return new ModelException("The model file " + name + " is not a TorchScript model: " + why
                + ". Export the model with torch.jit.trace(model.eval(), example).save(\"model.pt\") "
                + "or torch.jit.script(model.eval()).save(\"model.pt\").");
    }

    /** The archive's top folder name. */
    public String root() {
        return root;
    }

    public Map<String, byte[]> entries() {
        return Collections.unmodifiableMap(entries);
    }

    public byte[] entry(String name) {
        return entries.get(name);
    }

    /** Source text of the code entries, keyed by entry name. */
    public Map<String, String> codeFiles() {
        Map<String, String> code = new LinkedHashMap<>();
        String prefix = root + "/code/";
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getKey().endsWith(".py")) {
                code.put(e.getKey(), new String(e.getValue(), StandardCharsets.UTF_8));
            }
        }
        return code;
    }

    /**
     * The qualified class name of the root module, read from the first GLOBAL opcode of data.pkl
     * (protocol-2 pickles written by torch.jit.save start with {@code \x80\x02c<module>\n<name>\n}).
     */
    public String rootClassName() {
        byte[] pkl = entries.get(root + "/data.pkl");
        int i = 0;
        if (pkl.length > 2 && (pkl[0] & 0xff) == 0x80) {
            i = 2;
        }
        if (i < pkl.length && pkl[i] == 'c') {
            int nl1 = indexOf(pkl, (byte) '\n', i + 1);
            int nl2 = nl1 < 0 ? -1 : indexOf(pkl, (byte) '\n', nl1 + 1);
            if (nl2 > 0) {
                String module = new String(pkl, i + 1, nl1 - i - 1, StandardCharsets.UTF_8);
                String name = new String(pkl, nl1 + 1, nl2 - nl1 - 1, StandardCharsets.UTF_8);
                return module + "." + name;
            }
        }
        throw new ModelException("Cannot find the root module class in " + root + "/data.pkl: the pickle does not "
                + "start with a class reference. This TorchScript writer is not supported; please report the torch "
                + "version that wrote the file.");
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Writes a copy with some code entries replaced. The stale debug information of replaced entries is left out
     * (libtorch loads without it). Entries are stored uncompressed like torch.jit.save does.
     */
    public void writeWithCode(Map<String, String> replacedCode, OutputStream out) throws IOException {
        try (ZipOutputStream zout = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                String name = e.getKey();
                byte[] data = e.getValue();
                if (name.endsWith(".debug_pkl")
                        && replacedCode.containsKey(name.substring(0, name.length() - ".debug_pkl".length()))) {
                    continue;
                }
                if (replacedCode.containsKey(name)) {
                    data = replacedCode.get(name).getBytes(StandardCharsets.UTF_8);
                }
                putStored(zout, name, data);
            }
        }
    }

    private static void putStored(ZipOutputStream zout, String name, byte[] data) throws IOException {
        ZipEntry ze = new ZipEntry(name);
        ze.setMethod(ZipEntry.STORED);
        ze.setSize(data.length);
        ze.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        ze.setCrc(crc.getValue());
        ze.setTime(315532800000L); // 1980-01-01: the same bytes for the same content
        zout.putNextEntry(ze);
        zout.write(data);
        zout.closeEntry();
    }
}
