package org.explainj.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ImageStatistics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.explainj.ij.ExplainImagePlugin;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Installs ExplainJ with {@code scripts/assemble-imagej.sh} (where the install layout is defined) into a plain
 * ImageJ 1.x folder and into a stand-in Fiji folder, then starts ImageJ 1.x from each folder in a separate JVM, as a
 * user would ({@code java -cp ij.jar ij.ImageJ -ijpath <folder> -batch <macro>}), and checks that the menu entry is
 * there and that a macro gets a Grad-CAM heatmap out of the installed plugin.
 *
 * <p>The script itself runs (so the layout it makes is the one tested), but not its {@code mvn package} step:
 * packaging from inside {@code mvn test} would rebuild {@code target/classes} under the running tests. The test
 * instead zips the already compiled {@code target/classes} (which has {@code plugins.config} at its root) into a jar
 * and passes it with {@code --jar}. The script's other Maven run ({@code dependency:tree dependency:copy-dependencies},
 * about 4 s) only reads the pom and {@code ~/.m2} and writes into a temporary folder. Every dependency jar the script
 * copies must be the same file (name and size) as the one on this test's class path: the installed plugin runs with
 * the dependencies the tests ran with.
 *
 * <p>ImageJ 1.x's {@code -batch} mode exits 0 even when the macro fails, and still builds its menus with AWT
 * (a display is needed: the tests run under {@code xvfb-run -a}); a macro stuck in a dialog would never end. So the
 * test asserts on the files the macro writes, and kills ImageJ after {@link #IMAGEJ_TIMEOUT_S} seconds.
 */
@Slow
class InstallTest {

    private static final long SCRIPT_TIMEOUT_S = 300; // a fresh ~/.m2 may first download maven-dependency-plugin
    private static final long IMAGEJ_TIMEOUT_S = 120;
    private static final String IMAGE = "test-images/demo/ring_cell_1.tif";
    private static final String MODEL = "test-images/demo/ringnet_traced.pt";
    private static final Pattern PLUGIN_JAR = Pattern.compile("ExplainJ_-\\d[^/]*\\.jar");

    @TempDir
    static Path tmp;

    private static Path repo;
    private static Path pluginJar;
    private static Path ijJar;

    @BeforeAll
    static void buildPluginJar() throws Exception {
        String display = System.getenv("DISPLAY");
        if (display == null || display.isBlank()) {
            fail("No DISPLAY. ImageJ 1.x builds its menus with AWT even in -batch mode (without a display it fails "
                    + "and still exits 0). Run the tests under Xvfb: xvfb-run -a mvn -B test (or bash .ci/run).");
        }
        repo = Path.of("").toAbsolutePath();
        assertTrue(Files.isRegularFile(repo.resolve("scripts/assemble-imagej.sh")),
                "run from the repository root (Maven's basedir); no scripts/assemble-imagej.sh in " + repo);
        Path classes = codeSource(ExplainImagePlugin.class);
        assertTrue(Files.isRegularFile(classes.resolve("plugins.config")),
                "plugins.config is not at the root of " + classes + " (the pom's resources should copy it there)");
        pluginJar = tmp.resolve("build").resolve("ExplainJ_-from-classes.jar");
        jar(classes, pluginJar);
        ijJar = codeSource(ij.ImageJ.class);
    }

    @Test
    void plainImageJ() throws Exception {
        Path ij = Files.createDirectories(tmp.resolve("ImageJ"));
        Files.copy(ijJar, ij.resolve("ij.jar"));
        Path old = Files.createDirectories(ij.resolve("plugins")).resolve("ExplainJ_-0.0.1.jar");
        Files.write(old, new byte[0]); // an earlier version: must go

        String summary = assemble(ij);

        List<String> plugins = names(ij.resolve("plugins"));
        assertEquals(1, plugins.size(), "plugins/ should hold only the plugin jar: " + plugins);
        assertTrue(PLUGIN_JAR.matcher(plugins.get(0)).matches(), plugins.get(0));
        assertEquals(-1, Files.mismatch(pluginJar, ij.resolve("plugins").resolve(plugins.get(0))));

        Set<String> jars = new TreeSet<>(names(ij.resolve("jars")));
        assertSameAsClassPath(ij.resolve("jars"), jars);
        Set<String> required = new TreeSet<>(runtimeJars());
        required.add(classPathJar("imglib2-").getFileName().toString());
        required.add(classPathJar("scijava-common-").getFileName().toString());
        required.add(classPathJar("parsington-").getFileName().toString());
        required.add(classPathJar("slf4j-simple-").getFileName().toString());
        assertTrue(jars.containsAll(required), "missing in jars/: " + difference(required, jars) + "\n" + summary);
        assertFalse(jars.stream().anyMatch(n -> n.startsWith("ij-") || n.equals("ij.jar")),
                "ImageJ itself must not be copied into jars/: " + jars);
        assertFalse(jars.stream().anyMatch(n -> n.startsWith("spark-") || n.startsWith("scala-")),
                "the Fiji install must stay free of Spark: " + jars);

        Set<String> listed = installManifest(ij);
        Set<String> present = new TreeSet<>(jars.stream().map(n -> "jars/" + n).collect(Collectors.toSet()));
        present.add("plugins/" + plugins.get(0));
        assertEquals(present, listed, ".explainj-install.txt should list exactly the installed files");

        runImageJ(ij, ij.resolve("ij.jar"), "plain");
    }

    /**
     * A stand-in Fiji: {@code jars/} holds ImageJ, ImgLib2, SciJava Common and parsington (copies of the class-path
     * jars), an older-named gson (Fiji's own version of a DJL dependency: kept, ours not added), an SLF4J binding
     * (an empty jar: slf4j-simple is then left out), and leftovers of an earlier ExplainJ install (removed).
     */
    @Test
    void fiji() throws Exception {
        Path fiji = Files.createDirectories(tmp.resolve("Fiji.app"));
        Path jarsDir = Files.createDirectories(fiji.resolve("jars"));
        Path pluginsDir = Files.createDirectories(fiji.resolve("plugins"));
        for (String prefix : List.of("ij-", "imglib2-", "scijava-common-", "parsington-")) {
            Path p = classPathJar(prefix);
            Files.copy(p, jarsDir.resolve(p.getFileName()));
        }
        Files.copy(classPathJar("gson-"), jarsDir.resolve("gson-2.10.1.jar"));
        emptyJar(jarsDir.resolve("logback-classic-1.2.12.jar"));
        emptyJar(jarsDir.resolve("pytorch-engine-0.30.0.jar"));
        Files.writeString(fiji.resolve(".explainj-install.txt"),
                "# from an earlier install\nplugins/ExplainJ_-0.0.1.jar\njars/pytorch-engine-0.30.0.jar\n");
        emptyJar(pluginsDir.resolve("ExplainJ_-0.0.1.jar"));

        String summary = assemble(fiji, "--fiji");

        List<String> plugins = names(pluginsDir);
        assertEquals(1, plugins.size(), "plugins/ should hold only the new plugin jar: " + plugins);
        assertTrue(PLUGIN_JAR.matcher(plugins.get(0)).matches(), plugins.get(0));

        Set<String> jars = new TreeSet<>(names(jarsDir));
        for (String prefix : List.of("ij-", "imglib2-", "scijava-common-", "parsington-", "gson-", "slf4j-simple-")) {
            List<String> matching = jars.stream().filter(n -> n.startsWith(prefix)).collect(Collectors.toList());
            assertTrue(matching.size() <= 1, "Fiji's " + prefix + "*.jar must not get a second copy: " + matching);
        }
        assertTrue(jars.contains("gson-2.10.1.jar") && !jars.contains(classPathJar("gson-").getFileName().toString()),
                "Fiji's own gson is kept, ExplainJ's not added: " + jars);
        assertFalse(jars.stream().anyMatch(n -> n.startsWith("slf4j-simple-")),
                "slf4j-simple must be left out when Fiji has an SLF4J binding: " + jars);
        assertFalse(jars.contains("pytorch-engine-0.30.0.jar"), "the earlier install's jar must be removed");
        assertTrue(jars.containsAll(runtimeJars()), "missing in jars/: " + difference(runtimeJars(), jars));
        assertTrue(summary.contains("kept gson-2.10.1.jar"), "the summary should say which Fiji jar was kept:\n"
                + summary);

        runImageJ(fiji, jarsDir.resolve(ijJar.getFileName()), "fiji");
    }

    // ---- the script ----

    private static String assemble(Path target, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", repo.resolve("scripts/assemble-imagej.sh").toString(),
                target.toString(), "--jar", pluginJar.toString()));
        cmd.addAll(List.of(options));
        Path log = tmp.resolve("assemble-" + target.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.remove("MAVEN_CMD_LINE_ARGS"); // set by the outer mvn for its own command line
        env.remove("MAVEN_PROJECTBASEDIR");
        long t0 = System.nanoTime();
        int rc = run(pb, SCRIPT_TIMEOUT_S, log, "scripts/assemble-imagej.sh");
        String out = Files.readString(log);
        System.out.printf("InstallTest: assemble-imagej.sh %s took %.1f s%n%s", String.join(" ", options),
                (System.nanoTime() - t0) / 1e9, out);
        assertEquals(0, rc, "scripts/assemble-imagej.sh failed:\n" + out);
        return out;
    }

    /** The jars a plain install and a Fiji install both need (whatever Fiji ships aside). */
    private static Set<String> runtimeJars() throws Exception {
        Set<String> names = new TreeSet<>();
        for (String cls : List.of("ai.djl.engine.Engine", "ai.djl.pytorch.engine.PtEngine",
                "ai.djl.pytorch.jni.PyTorchLibrary", "com.sun.jna.Native",
                "org.apache.commons.compress.archivers.ArchiveEntry", "org.slf4j.Logger")) {
            names.add(codeSource(Class.forName(cls)).getFileName().toString());
        }
        names.add(classPathJar("pytorch-native-cpu-").getFileName().toString()); // libtorch: no classes
        return names;
    }

    /** Each copied jar is the class-path jar of the same name (same version, same size). */
    private static void assertSameAsClassPath(Path dir, Set<String> jars) throws IOException {
        for (String name : jars) {
            Path cp = classPathJarNamed(name);
            assertEquals(Files.size(cp), Files.size(dir.resolve(name)), name + " differs from " + cp);
        }
    }

    private static Set<String> installManifest(Path target) throws IOException {
        try (Stream<String> lines = Files.lines(target.resolve(".explainj-install.txt"))) {
            return lines.filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    // ---- ImageJ in its own JVM ----

    private static void runImageJ(Path ijDir, Path ijJarInstalled, String name) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out-" + name));
        Path macro = Resources.path("install/explain_installed.ijm");
        String arg = String.join("\n", repo.resolve(IMAGE).toString(), repo.resolve(MODEL).toString(),
                out.toString());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(),
                "-Dexplainj.cache=" + tmp.resolve("cache"), "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.graph_optimizer=false", "-Xmx2g",
                "-cp", ijJarInstalled.toString(), "ij.ImageJ", "-ijpath", ijDir.toString(),
                "-batch", macro.toString(), arg);
        Path log = out.resolve("imagej.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ijDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        run(pb, IMAGEJ_TIMEOUT_S, log, "ImageJ (" + name + ")");
        System.out.printf("InstallTest: ImageJ in %s took %.1f s%n", ijDir.getFileName(),
                (System.nanoTime() - t0) / 1e9);
        String ijLog = Files.readString(log);

        Path menu = out.resolve("menu.txt");
        assertTrue(Files.exists(menu), "the macro did not run at all; ImageJ's output:\n" + ijLog);
        assertEquals(ExplainImagePlugin.class.getName(), Files.readString(menu).trim(),
                "Plugins > ExplainJ > Explain Image... is not in the installed ImageJ's menus; ImageJ's output:\n"
                        + ijLog);

        assertAllMenuEntries(Files.readAllLines(out.resolve("commands.txt")), ijLog);

        Path heatmap = out.resolve("heatmap.tif");
        String hint = ijLog.contains("Deep learning engine not found")
                ? "\nHint: plain ImageJ 1.x loads plugins/ and jars/ with its PluginClassLoader but leaves the thread's "
                        + "context class loader at the system class loader; DJL finds its engine (ServiceLoader) and "
                        + "libtorch through the context class loader. Set it to the plugin's class loader around "
                        + "Engine.getEngine (org.explainj.model.Engines.pytorch)."
                : "";
        assertTrue(Files.exists(heatmap), "no heatmap.tif; ImageJ's output:\n" + ijLog + hint);
        ImagePlus imp = IJ.openImage(heatmap.toString());
        assertNotNull(imp, "heatmap.tif is not an image");
        assertEquals(96, imp.getWidth());
        assertEquals(96, imp.getHeight());
        assertEquals(32, imp.getBitDepth());
        ImageStatistics s = imp.getProcessor().getStats();
        assertTrue(Double.isFinite(s.min) && Double.isFinite(s.max) && s.max > 0 && s.min >= 0,
                "Grad-CAM (with ReLU) should be >= 0 and not all zero: min " + s.min + ", max " + s.max);
        assertEquals("1", Files.readString(out.resolve("overlay.txt")).trim(),
                "the overlay option should add one element to the input image's overlay");
    }

    /** Every entry of plugins.config (at the root of target/classes, as in the jar) is a command of the installed ImageJ. */
    private static void assertAllMenuEntries(List<String> commands, String ijLog) throws Exception {
        Map<String, String> installed = new java.util.HashMap<>();
        for (String line : commands) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                installed.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        Pattern entry = Pattern.compile("^\\s*[^#,][^,]*,\\s*\"([^\"]+)\"\\s*,\\s*([\\w.$]+).*");
        int n = 0;
        for (String line : Files.readAllLines(codeSource(ExplainImagePlugin.class).resolve("plugins.config"))) {
            var m = entry.matcher(line);
            if (m.matches()) {
                n++;
                String cls = installed.get(m.group(1));
                assertTrue(cls != null && cls.startsWith(m.group(2)), "plugins.config's \"" + m.group(1)
                        + "\" (" + m.group(2) + ") is not in the installed ImageJ's menus (found: " + cls
                        + "); ImageJ's output:\n" + ijLog);
            }
        }
        assertTrue(n > 0, "no entries found in plugins.config");
    }

    /** Runs a process with a time limit; on timeout kills it (and its children) and fails with its output. */
    private static int run(ProcessBuilder pb, long timeoutS, Path log, String what) throws Exception {
        Process p = pb.start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            fail(what + " did not finish within " + timeoutS + " s (killed); output:\n" + Files.readString(log));
        }
        return p.exitValue();
    }

    // ---- files ----

    private static Path codeSource(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** The test class path's jar named {@code prefix} followed by a version, e.g. {@code gson-} : gson-2.13.1.jar. */
    private static Path classPathJar(String prefix) {
        return classPath(Pattern.compile(Pattern.quote(prefix) + "\\d[^/]*\\.jar"), prefix + "<version>.jar");
    }

    private static Path classPathJarNamed(String name) {
        return classPath(Pattern.compile(Pattern.quote(name)), name);
    }

    private static Path classPath(Pattern fileName, String what) {
        for (Path path : classPathJars()) {
            if (fileName.matcher(path.getFileName().toString()).matches()) {
                return path;
            }
        }
        throw new AssertionError("no " + what + " on the test class path (a jar the tests do not use was installed?)");
    }

    /** The test class path's jars (surefire may hide them behind a manifest-only booter jar in java.class.path). */
    private static List<Path> classPathJars() {
        Set<Path> jars = new java.util.LinkedHashSet<>();
        for (String key : List.of("surefire.test.class.path", "java.class.path")) {
            for (String e : System.getProperty(key, "").split(java.io.File.pathSeparator)) {
                if (e.endsWith(".jar")) {
                    jars.add(Path.of(e).toAbsolutePath());
                }
            }
        }
        try {
            for (var urls = InstallTest.class.getClassLoader().getResources("META-INF/MANIFEST.MF");
                    urls.hasMoreElements();) {
                String u = urls.nextElement().toString();
                if (u.startsWith("jar:file:") && u.contains("!/")) {
                    jars.add(Path.of(new java.net.URI(u.substring(4, u.indexOf("!/")))));
                }
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return new ArrayList<>(jars);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    /** Zips a classes folder into a jar (what maven-jar-plugin does for this project, minus pom metadata). */
    private static void jar(Path classes, Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        List<Path> files;
        try (Stream<Path> s = Files.walk(classes)) {
            files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, mf)) {
            Set<String> dirs = new TreeSet<>();
            for (Path f : files) {
                String rel = classes.relativize(f).toString().replace(java.io.File.separatorChar, '/');
                if (rel.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                for (int i = rel.indexOf('/'); i >= 0; i = rel.indexOf('/', i + 1)) {
                    String dir = rel.substring(0, i + 1);
                    if (dirs.add(dir)) {
                        out.putNextEntry(new JarEntry(dir));
                        out.closeEntry();
                    }
                }
                out.putNextEntry(new JarEntry(rel));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
    }

    private static void emptyJar(Path jar) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, mf)) {
            out.putNextEntry(new JarEntry("README.txt"));
            out.write("stand-in".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

}
