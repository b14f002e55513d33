package org.explainj.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.explainj.ij.ExplainImagePlugin;
import org.junit.jupiter.api.Test;

/**
 * What goes into the plugin jar ({@code target/classes}, which {@code mvn package} zips): the plugin, not the
 * benchmark or the demo (test sources), and no code that reads the project's test folders.
 */
class PluginClassesTest {

    private static Path root() throws IOException {
        try {
            return Path.of(ExplainImagePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static List<Path> classes() throws IOException {
        Path root = root();
        assertTrue(Files.isDirectory(root), "the plugin classes should be a folder during tests: " + root);
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".class")).map(root::relativize).sorted().toList();
        }
    }

    @Test
    void thePluginClassesHoldNoBenchmarkOrDemo() throws IOException {
        List<Path> all = classes();
        assertTrue(all.size() > 50, "expected the plugin's classes, found " + all.size());
        List<String> offending = all.stream().map(p -> p.toString().replace('\\', '/'))
                .filter(n -> n.startsWith("org/explainj/bench/") || n.startsWith("org/explainj/cli/Bench")
                        || n.startsWith("org/explainj/cli/Demo"))
                .toList();
        assertEquals(List.of(), offending);
    }

    @Test
    void noPluginClassNamesTheTestFolders() throws IOException {
        Path root = root();
        List<String> offending = new java.util.ArrayList<>();
        for (Path p : classes()) {
            String constants = new String(Files.readAllBytes(root.resolve(p)), StandardCharsets.ISO_8859_1);
            if (constants.contains("src/test") || constants.contains("test-images")) {
                offending.add(p.toString());
            }
        }
        assertEquals(List.of(), offending);
    }
}
