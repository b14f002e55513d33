package org.explainj.bioimage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.explainj.model.ModelCache;

/**
 * The packages opened in this session, by path: a package is opened (and its files checked) once, and again when
 * its zip, folder or description changes on disk.
 */
public final class Packages {

    private record Entry(String stamp, BioimagePackage pkg) {
    }

    private static final Map<Path, Entry> OPEN = new HashMap<>();

    private Packages() {
    }

    /** The opened package at this path (a folder, a zip or a description file). */
    public static BioimagePackage open(Path path) {
        Path key = path.toAbsolutePath().normalize();
        String stamp = stamp(key);
        synchronized (OPEN) {
            Entry e = OPEN.get(key);
            if (e != null && e.stamp.equals(stamp)) {
                return e.pkg;
            }
        }
        BioimagePackage pkg = BioimagePackage.open(key, ModelCache.defaultCacheDir());
        synchronized (OPEN) {
            OPEN.put(key, new Entry(stamp, pkg));
        }
        return pkg;
    }

    /** Sizes and times of the path, or of a folder's files (one level). */
    private static String stamp(Path p) {
        StringBuilder sb = new StringBuilder();
        try {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.sorted().forEach(f -> sb.append(f.getFileName()).append(':').append(stampOf(f)).append(';'));
                }
            } else {
                sb.append(stampOf(p));
            }
        } catch (IOException e) {
            sb.append("unreadable");
        }
        return sb.toString();
    }

    private static String stampOf(Path f) {
        try {
            return Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            return "?";
        }
    }
}
