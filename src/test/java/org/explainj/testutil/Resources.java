package org.explainj.testutil;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test resources and the optional shared reference folder (for the 47 MB ResNet-18). */
public final class Resources {

    private Resources() {
    }

    public static Path path(String name) {
        try {
            var url = Resources.class.getClassLoader().getResource(name);
            if (url == null) {
                throw new IllegalArgumentException("missing test resource " + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Npy npy(String name) {
        return Npy.read(path(name));
    }

    /** The shared reference folder beside the repository, or null when it is not there. */
    public static Path sharedReference() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path ref = p.resolve("shared").resolve("reference");
            if (Files.isDirectory(ref.resolve("models"))) {
                return ref;
            }
            Path sibling = p.resolveSibling("shared").resolve("reference");
            if (Files.isDirectory(sibling.resolve("models"))) {
                return sibling;
            }
        }
        return null;
    }
}
