package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ImageProcessor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.imagej.patcher.LegacyClassLoader;
import net.imagej.patcher.LegacyEnvironment;
import org.explainj.command.ExplainImageCommand;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the {@code plugins.config} menu entry "Explain Image..." from an ImageJ 1.x macro, as a user would, and checks
 * the files the macro saved against the Java API.
 *
 * <p>How ImageJ finds the plugin: an ij1-patcher {@link LegacyEnvironment} (headless) gets this module's classes
 * folder ({@code target/classes}, which holds {@code plugins.config} at its root, copied there by the pom's resources)
 * as an extra plugin class-path entry; the patched {@code ij.Menus} reads {@code plugins.config} from such a folder
 * like from a plugin jar in {@code plugins/}, so the macro's {@code run("Explain Image...", ...)} resolves through the
 * real menu entry.
 *
 * <p>The patched ImageJ lives in its own class loader, and so do the plugin's classes (they must see the patched
 * {@code ij.*}). The plugin's dependencies (DJL, the PyTorch engine, ImgLib2, SciJava) are NOT loaded a second time:
 * {@link SharedDependencies} hands them over from the test's class loader. libtorch's JNI library can be bound to
 * only one class loader per JVM, and this test (and every other test in the same surefire JVM) also runs the Java
 * API directly.
 */
class MacroTest {

    private static final String INPUT = "reference/inputs/synth_pos0_u16.tif";
    private static final String MODEL = "reference/models/tinycnn.pt";
    private static final double REL_TOL = 1e-5;
    private static final String STACK_3D = "test-images/demo3d/shell_1.tif";
    private static final String MODEL_3D = "test-images/demo3d/vol3d.pt";

    @TempDir
    static Path out;

    private static String log;
    private static Map<String, String> menu;
    private static Map<String, String> commands;

    @BeforeAll
    static void runMacroInPatchedImageJ() throws Exception {
        Path classes = Path.of(ExplainImagePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isRegularFile(classes.resolve("plugins.config")),
                "plugins.config is not at the root of " + classes + " (the pom's resources should copy it there)");

        LegacyEnvironment ij = new LegacyEnvironment(new SharedDependencies(classes, MacroTest.class.getClassLoader()),
                true);
        ij.disableIJ1PluginDirs(); // ignore ~/.plugins and ij1.plugin.dirs: only this module's plugins.config
        ij.addPluginClasspath(classes.toFile());

        String macro = Files.readString(Resources.path("macros/explain_image.ijm"));
        String arg = String.join("\n", Resources.path(INPUT).toString(), Resources.path(MODEL).toString(),
                out.toString(), Path.of(STACK_3D).toAbsolutePath().toString(),
                Path.of(MODEL_3D).toAbsolutePath().toString());
        // Headless ImageJ writes IJ.log() to System.out: keep a copy to check the error message.
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new Tee(stdout, captured), true, StandardCharsets.UTF_8));
        // Its own thread: ImageJ renames the thread that runs a macro ("Run$_...") and sets the plugin class loader as
        // its context class loader; neither may leak into the other tests of this JVM.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                ij.runMacro(macro, arg); // swallows macro errors: everything is checked on the files below
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "MacroTest macro");
        try {
            runner.start();
            runner.join(TimeUnit.SECONDS.toMillis(50));
        } finally {
            System.out.flush();
            System.setOut(stdout);
        }
        log = captured.toString(StandardCharsets.UTF_8);
        assertFalse(runner.isAlive(), "the macro did not finish within 50 s; log:\n" + log);
        if (failure.get() != null) {
            throw new AssertionError("runMacro failed; log:\n" + log, failure.get());
        }
        menu = ij.getMenuStructure();
        Object table = ij.getClassLoader().loadClass("ij.Menus").getMethod("getCommands").invoke(null);
        commands = new LinkedHashMap<>();
        ((Map<?, ?>) table).forEach((k, v) -> commands.put(String.valueOf(k), String.valueOf(v)));
    }

    @Test
    void menuEntryComesFromPluginsConfig() {
        // ImageJ's command table (what run("Explain Image...") looks up) has the plugins.config entry ...
        assertEquals("org.explainj.ij.ExplainImagePlugin", commands.get("Explain Image..."),
                "ImageJ has no command \"Explain Image...\" from plugins.config");
        // ... and the menu has it too. (In headless mode ij1-patcher files plugins.config entries directly under
        // Plugins>, without the ExplainJ submenu; a GUI ImageJ shows Plugins>ExplainJ>Explain Image....)
        List<String> paths = menu.entrySet().stream()
                .filter(e -> "org.explainj.ij.ExplainImagePlugin".equals(e.getValue())).map(Map.Entry::getKey).toList();
        assertTrue(paths.stream().anyMatch(p -> p.startsWith("Plugins>") && p.endsWith(">Explain Image...")),
                "no menu item Plugins>...>Explain Image... for the plugin; items: " + paths);
    }

    @Test
    void gradCamSavedByMacroEqualsJavaApi() {
        float[] macro = savedHeatmap("gradcam.tif");
        float[] api = javaApi("Grad-CAM", "features.relu4");
        assertClose("Grad-CAM", api, macro);
    }

    @Test
    void aZStackWithA3dModelIsSavedAsAHeatmapZStackEqualToTheJavaApi() {
        ImagePlus saved = IJ.openImage(out.resolve("vol3d-gradcam.tif").toString());
        assertNotNull(saved, "the macro did not save vol3d-gradcam.tif; log:\n" + log);
        assertEquals(16, saved.getStackSize());
        ExplainImageCommand cmd = org.explainj.testutil.Demo3d.command(org.explainj.testutil.Demo3d.shell(),
                "Grad-CAM");
        cmd.run();
        for (int z = 1; z <= 16; z++) {
            assertClose("3-D Grad-CAM z=" + z, (float[]) cmd.heatmap.getStack().getPixels(z),
                    (float[]) saved.getStack().getPixels(z), 32);
        }
        assertEquals("class 1 (shell) z=7", saved.getStack().getSliceLabel(7));
    }

    @Test
    void saliencySavedByMacroEqualsJavaApi() {
        float[] macro = savedHeatmap("saliency.tif");
        float[] api = javaApi("Saliency", "");
        assertClose("Saliency", api, macro);
    }

    @Test
    void gradCamMaximumLiesOnTheRingCell() {
        float[] map = savedHeatmap("gradcam.tif");
        int argmax = 0;
        for (int i = 1; i < map.length; i++) {
            if (map[i] > map[argmax]) {
                argmax = i;
            }
        }
        int x = argmax % 64;
        int y = argmax / 64;
        ImageProcessor disk = mask("synth_pos0_mask_disk.png");
        ImageProcessor ring = mask("synth_pos0_mask_ring.png");
        System.out.printf("Grad-CAM max %.6g at (%d, %d): ring=%b disk=%b%n", map[argmax], x, y,
                ring.get(x, y) > 0, disk.get(x, y) > 0);
        assertTrue(map[argmax] > 0, "the Grad-CAM map is all zero");
        assertTrue(ring.get(x, y) > 0, "Grad-CAM maximum at (" + x + ", " + y + ") is outside the ring mask"
                + (disk.get(x, y) > 0 ? " (inside the disk it encloses)" : " and outside the disk"));
    }

    @Test
    void unknownLayerAbortsTheMacroAndNamesTheLayer() {
        assertTrue(Files.isRegularFile(out.resolve("before-bad-layer.txt")),
                "the macro did not get to the unknown-layer run; log:\n" + log);
        String wentOn = "the macro went on after run(\"Explain Image...\") failed on layer features.relu9 (in a macro,"
                + " Macro.abort() alone does not stop the interpreter that called run(); it must be aborted itself)";
        assertFalse(Files.exists(out.resolve("after-bad-layer.tif")), wentOn);
        assertFalse(Files.exists(out.resolve("after-bad-layer.txt")), wentOn);
        String error = log.lines().filter(l -> l.contains("ExplainJ error")).findFirst().orElse(null);
        assertNotNull(error, "no \"ExplainJ error\" line in the log:\n" + log);
        assertTrue(error.contains("features.relu9"), "the error does not name the bad layer: " + error);
        assertTrue(error.contains("features.relu4"), "the error does not suggest features.relu4: " + error);
    }

    // ------------------------------------------------------------------------------------------------------------

    private static float[] savedHeatmap(String name) {
        Path file = out.resolve(name);
        assertTrue(Files.isRegularFile(file), "the macro did not save " + name + "; log:\n" + log);
        ImagePlus imp = IJ.openImage(file.toString());
        assertNotNull(imp, "cannot open " + file);
        assertEquals(ImagePlus.GRAY32, imp.getType(), name + " is not 32-bit");
        assertEquals(64, imp.getWidth(), name + " width");
        assertEquals(64, imp.getHeight(), name + " height");
        assertEquals(1, imp.getStackSize(), name + " slices");
        return (float[]) imp.getProcessor().getPixels();
    }

    private static float[] javaApi(String method, String layer) {
        ImagePlus imp = IJ.openImage(Resources.path(INPUT).toString());
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = Resources.path(MODEL).toFile();
        cmd.method = method;
        cmd.layer = layer;
        cmd.target = "top";
        cmd.run();
        assertEquals(64, cmd.heatmap.getWidth());
        assertEquals(64, cmd.heatmap.getHeight());
        return (float[]) cmd.heatmap.getProcessor().getPixels();
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertClose(what, expected, actual, 64);
    }

    private static void assertClose(String what, float[] expected, float[] actual, int width) {
        assertEquals(expected.length, actual.length, what + " length");
        float scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0, what + ": the Java API gave an all-zero map");
        for (int i = 0; i < expected.length; i++) {
            double tol = REL_TOL * Math.max(Math.abs(expected[i]), scale * 1e-3);
            if (Math.abs(expected[i] - actual[i]) > tol) {
                fail(String.format("%s differs at (%d, %d): Java API %.8g, macro %.8g", what, i % width, i / width,
                        expected[i], actual[i]));
            }
        }
    }

    private static ImageProcessor mask(String name) {
        ImagePlus imp = IJ.openImage(Resources.path("reference/inputs/" + name).toString());
        assertNotNull(imp, "cannot open mask " + name);
        assertEquals(64, imp.getWidth());
        assertEquals(64, imp.getHeight());
        return imp.getProcessor();
    }

    /**
     * The class loader for the patched ImageJ: ImageJ 1.x ({@code ij.jar}, patched by ij1-patcher) and this module's
     * classes are loaded here, so the plugin sees the patched {@code ij.*}; everything else it needs (DJL, the PyTorch
     * engine and its native library, ImgLib2, SciJava, SLF4J) comes from the test's class loader, shared with the
     * Java API and with the other tests of the JVM. Resources too, so DJL's service and native-library look-ups through
     * the context class loader (ImageJ sets its plugin class loader there) find the jars.
     */
    static final class SharedDependencies extends LegacyClassLoader {

        static {
            ClassLoader.registerAsParallelCapable();
        }

        private final ClassLoader shared;

        SharedDependencies(Path moduleClasses, ClassLoader shared) throws ClassNotFoundException,
                MalformedURLException {
            super(); // ij.jar only; parent = the platform class loader
            addURL(moduleClasses.toUri().toURL());
            this.shared = shared;
        }

        private static boolean own(String name) {
            return name.startsWith("ij.") || name.startsWith("org.explainj.");
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                try {
                    return super.loadClass(name, resolve);
                } catch (ClassNotFoundException e) {
                    if (own(name)) {
                        throw e;
                    }
                    return shared.loadClass(name);
                }
            }
        }

        @Override
        public URL getResource(String name) {
            URL url = super.getResource(name);
            return url != null ? url : shared.getResource(name);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            Map<String, URL> all = new LinkedHashMap<>();
            for (Enumeration<URL> e = super.getResources(name); e.hasMoreElements(); ) {
                URL u = e.nextElement();
                all.putIfAbsent(u.toString(), u);
            }
            for (Enumeration<URL> e = shared.getResources(name); e.hasMoreElements(); ) {
                URL u = e.nextElement();
                all.putIfAbsent(u.toString(), u);
            }
            List<URL> list = new ArrayList<>(all.values());
            return Collections.enumeration(list);
        }
    }

    /** Writes to two streams. */
    private static final class Tee extends OutputStream {

        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }
}
