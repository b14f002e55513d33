package org.explainj.bioimage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.explainj.model.ModelCache;

/**
 * Finds a package's description file: in a folder, in a zip (extracted once into the cache, keyed by the zip's
 * sha256; the zip itself is only read), or given directly. Checks files against the sha256 the description gives.
 */
public final class PackageFiles {

    /** The description's names, in the order they are preferred. */
    private static final List<String> NAMES = List.of("bioimageio.yaml", "rdf.yaml");
    private static final long MAX_EXTRACTED = 8L << 30;

    private PackageFiles() {
    }

    /** Whether a description file name is one the spec allows. */
    static boolean isDescriptionName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return NAMES.contains(n) || n.endsWith(".bioimageio.yaml");
    }

    /**
     * Whether the path is a package: a folder with a description file, a description file, or a zip holding one
     * (at its root or in one folder). A TorchScript file (also a zip) is not.
     */
    public static boolean isPackage(Path path) {
        if (Files.isDirectory(path)) {
            return descriptionIn(path, false) != null;
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (isDescriptionName(name) || name.toLowerCase(Locale.ROOT).endsWith(".yaml")) {
            return Files.isRegularFile(path);
        }
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (ZipFile zip = new ZipFile(path.toFile())) {
            return descriptionEntry(zip) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The description file of a package given as a folder, a zip or the file itself (zips are extracted). */
    static Path description(Path path, Path cacheDir) {
        if (Files.isDirectory(path)) {
            Path d = descriptionIn(path, true);
            if (d == null) {
                throw new PackageException("The folder " + path + " holds no bioimage.io description (rdf.yaml, "
                        + "bioimageio.yaml or *.bioimageio.yaml). Give the package's folder or .zip, or a "
                        + "TorchScript file (.pt).");
            }
            return d;
        }
        if (!Files.isRegularFile(path)) {
            throw new PackageException("Model not found: " + path + ".");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml")) {
            return path;
        }
        Path folder = extracted(path, cacheDir);
        Path d = descriptionIn(folder, true);
        if (d == null) {
            try (Stream<Path> s = Files.list(folder)) {
                List<Path> dirs = s.filter(Files::isDirectory).toList();
                if (dirs.size() == 1) {
                    d = descriptionIn(dirs.get(0), true);
                }
            } catch (IOException e) {
                throw new PackageException("Cannot read the extracted package " + folder + ": " + e.getMessage(), e);
            }
        }
        if (d == null) {
            throw new PackageException("The zip " + path.getFileName() + " holds no bioimage.io description "
                    + "(rdf.yaml, bioimageio.yaml or *.bioimageio.yaml): it is not a model package.");
        }
        return d;
    }

    private static Path descriptionIn(Path folder, boolean refuseAmbiguous) {
        for (String n : NAMES) {
            if (Files.isRegularFile(folder.resolve(n))) {
                return folder.resolve(n);
            }
        }
        List<Path> others = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".bioimageio.yaml"))
                    .filter(Files::isRegularFile).sorted().forEach(others::add);
        } catch (IOException e) {
            return null;
        }
        if (others.size() > 1 && refuseAmbiguous) {
            throw new PackageException("The folder " + folder + " holds several descriptions ("
                    + String.join(", ", others.stream().map(p -> p.getFileName().toString()).toList())
                    + "): give the one to use as model=.");
        }
        return others.isEmpty() ? null : others.get(0);
    }

    private static String descriptionEntry(ZipFile zip) {
        String best = null;
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            String n = e.getName();
            int depth = n.length() - n.replace("/", "").length();
            String base = n.substring(n.lastIndexOf('/') + 1);
            if (!e.isDirectory() && depth <= 1 && isDescriptionName(base) && (best == null || depth == 0)) {
                best = n;
            }
        }
        return best;
    }

    /** The zip extracted into {@code <cache>/packages/<sha256>/} (once; a finished folder is reused). */
    private static Path extracted(Path zipFile, Path cacheDir) {
        String sha = ModelCache.recordedSha256(zipFile, cacheDir);
        Path target = cacheDir.resolve("packages").resolve(sha);
        if (Files.isRegularFile(target.resolve(".complete"))) {
            return target;
        }
        Path tmp;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempDirectory(target.getParent(), sha + ".tmp");
        } catch (IOException e) {
            throw new PackageException("Cannot extract the package " + zipFile.getFileName() + " into the cache "
                    + cacheDir + ": " + e.getMessage(), e);
        }
        long total = 0;
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                Path out = tmp.resolve(e.getName()).normalize();
                if (!out.startsWith(tmp) || e.getName().startsWith("/")) {
                    throw new PackageException("The package " + zipFile.getFileName() + " has an entry that points "
                            + "outside the package (" + e.getName() + "); it is refused.");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = zip.getInputStream(e); OutputStream os = Files.newOutputStream(out)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        total += n;
                        if (total > MAX_EXTRACTED) {
                            throw new PackageException("The package " + zipFile.getFileName() + " unpacks to more "
                                    + "than 8 GB; it is refused.");
                        }
                        os.write(buf, 0, n);
                    }
                }
            }
            Files.writeString(tmp.resolve(".complete"), zipFile.getFileName().toString(), StandardCharsets.UTF_8);
        } catch (ZipException e) {
            deleteTree(tmp);
            throw new PackageException("The package " + zipFile.getFileName() + " is not a readable zip ("
                    + e.getMessage() + "). Download it again.", e);
        } catch (IOException e) {
            deleteTree(tmp);
            throw new PackageException("Cannot extract the package " + zipFile.getFileName() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            deleteTree(tmp); // another process extracted it meanwhile
        } catch (AtomicMoveNotSupportedException e) {
            deleteTree(tmp);
            throw new PackageException("Cannot move the extracted package into " + target + ": " + e.getMessage(),
                    e);
        } catch (IOException e) {
            deleteTree(tmp);
            if (!Files.isRegularFile(target.resolve(".complete"))) {
                throw new PackageException("Cannot move the extracted package into " + target + ": "
                        + e.getMessage(), e);
            }
        }
        return target;
    }

    /** The file a description names, inside the package (a path outside it or a URL is refused). */
    static Path resolve(Path root, String source, String what) {
        if (source == null || source.isBlank()) {
            throw new PackageException("The package's " + what + " has no source file.");
        }
        if (source.contains("://")) {
            throw new PackageException("The package's " + what + " is at " + source + ", not in the package; "
                    + "ExplainJ downloads nothing. Download the file into the package folder and name it there.");
        }
        Path p = root.resolve(source).normalize();
        if (!p.startsWith(root.normalize())) {
            throw new PackageException("The package's " + what + " (" + source + ") lies outside the package.");
        }
        if (!Files.isRegularFile(p)) {
            throw new PackageException("The package's " + what + " file " + source + " is missing from "
                    + root + ".");
        }
        return p;
    }

    /**
     * Refuses a file whose sha256 is not the one the description gives (none given: accepted). A zip file (the
     * TorchScript weights) is checked against the checksum recorded in {@code cacheDir} by an earlier session while
     * its size, time stamp and central directory are unchanged ({@link ModelCache#recordedSha256}).
     */
    static void verify(Path file, String expected, String what, String description, Path cacheDir) {
        if (expected == null || expected.isBlank()) {
            return;
        }
        String actual = isZip(file) ? ModelCache.recordedSha256(file, cacheDir) : ModelCache.sha256(file);
        if (!actual.equalsIgnoreCase(expected.trim())) {
            throw new PackageException("The package's " + what + " " + file.getFileName() + " has sha256 " + actual
                    + ", but " + description + " says " + expected.trim() + ": the file is damaged or was replaced. "
                    + "Download the package again.");
        }
    }

    /** Whether the file starts like a zip archive (a local file header). */
    private static boolean isZip(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // left for the next cleanup
                }
            });
        } catch (IOException ignored) {
            // nothing to delete
        }
    }
}
