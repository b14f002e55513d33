package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.explainj.testutil.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden text tests of the rewriter, no Python and no libtorch needed: serialized code in
 * ({@code rewrite/<case>/input/}, the {@code code/} folder of a model, with the root class named in
 * {@code rewrite/<case>/root}), the changed files out ({@code rewrite/<case>/expected/}). Each expected file was
 * read line by line when it was made; the cases are the constructs that broke the earlier regex rewriter (in-place
 * ReLU statements, functional ReLU with a run-time flag, ignored results of in-place modules, nested receivers,
 * names that collide with the generated ones, free functions, loops, dict outputs, the attention fast path).
 * {@code -Dexplainj.golden.update=true} rewrites the expected files (then read them before committing).
 */
class TapRewriterGoldenTest {

    static Stream<String> cases() throws IOException {
        try (Stream<Path> s = Files.list(Resources.path("rewrite"))) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    private static Map<String, String> readTree(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".py")).toList()) {
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rewrittenCodeIsTheExpectedCode(String name) throws IOException {
        Path dir = Resources.path("rewrite/" + name);
        Map<String, String> entries = new LinkedHashMap<>();
        readTree(dir.resolve("input")).forEach((rel, text) -> entries.put("m/code/" + rel, text));
        String root = Files.readString(dir.resolve("root")).trim();
        TapRewriter.Result r = new TapRewriter(new ModuleTree(ScriptCode.of("m", entries), root)).rewrite();
        Map<String, String> actual = new TreeMap<>();
        r.files().forEach((entry, text) -> actual.put(entry.substring("m/code/".length()), text));
        if (Boolean.getBoolean("explainj.golden.update")) {
            Path src = Path.of("src/test/resources/rewrite", name, "expected");
            for (Map.Entry<String, String> e : actual.entrySet()) {
                Path out = src.resolve(e.getKey());
                Files.createDirectories(out.getParent());
                Files.writeString(out, e.getValue());
            }
        }
        Map<String, String> expected = readTree(dir.resolve("expected"));
        assertEquals(expected.keySet(), actual.keySet(), name + ": changed files");
        for (String file : expected.keySet()) {
            assertEquals(expected.get(file), actual.get(file), name + ": " + file);
        }
        assertTrue(r.info().available());
        List<String> notes = List.copyOf(r.info().constructs());
        System.out.println(name + ": " + r.info().reluSites() + " ReLU sites, prefix " + r.info().entry() + ", " + notes);
    }
}
