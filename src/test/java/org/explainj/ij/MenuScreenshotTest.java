package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import ij.ImageJ;
import ij.Menus;
import ij.plugin.PlugIn;
import java.awt.EventQueue;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GraphicsEnvironment;
import java.awt.Menu;
import java.awt.MenuBar;
import java.awt.MenuItem;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Toolkit;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.image.BufferedImage;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.explainj.testutil.Gui;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plugin's menu in a real ImageJ 1.x main window ({@link ImageJ}) on a real (virtual) screen: the test opens
 * Plugins › ExplainJ the way a user does (a mouse click on "Plugins" in the menu bar, then the arrow keys down to
 * "ExplainJ" and right into its submenu) and saves a screenshot of the window with both menus open as
 * {@code target/screenshots/menu-plugins-explainj.png}. Automatically checked: the ExplainJ submenu in
 * {@link Menus} with the entries of {@code plugins.config} (labels and plugin classes), that the click opened the
 * Plugins menu (the pop-up's left edge is under the "Plugins" title), that the submenu opened to the right of it,
 * and that the screenshot is not blank.
 *
 * <p>How the commands get into the menu: {@code mvn test} does not build the plugin jar, so ImageJ (started here
 * without a {@code plugins/} folder) cannot read {@code plugins.config} from it. The test reads the same
 * {@code plugins.config} (copied to the root of {@code target/classes} by the pom's resources) and installs every
 * line with {@link Menus#add(String, String)}, which files {@code Plugins>ExplainJ, "Label", Class} like ImageJ's
 * own jar-plugin installer: under the submenu {@code Plugins>ExplainJ} (created, sorted, after the built-in part of
 * the Plugins menu) and in the command table. The real install (the jar in {@code plugins/}, ImageJ in its own JVM)
 * is {@code org.explainj.install.InstallTest}'s job.
 *
 * <p>Menus under Xvfb without a window manager: AWT's XToolkit draws menu bars and menus itself and reacts to
 * {@link Robot} input (XTest events), so the click and the keys work without a window manager. AWT has no API for
 * the screen position of a menu-bar title; {@link #titleBounds} recomputes XToolkit's menu-bar layout from the font
 * metrics, and the test checks where the menu actually opened. The keys only move within the open menus (which
 * grab the keyboard); the menus are closed with a click outside them, not with Escape (Escape reaching the ImageJ
 * window would abort macros).
 *
 * <p>ImageJ is a singleton ({@link IJ#getInstance()}): the test needs no other ImageJ window, and leaves none: it
 * does what {@link ImageJ#quit()} does minus saving the preferences and {@code System.exit}: dispose the frame and
 * {@code IJ.cleanup()}.
 *
 * <p>Needs a display: run under {@code xvfb-run -a mvn -B test}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Gui
class MenuScreenshotTest {

    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final String SHOT = "menu-plugins-explainj.png";
    private static final String SUBMENU = "ExplainJ";
    /** What {@code plugins.config} must install under Plugins › ExplainJ, in this order. */
    private static final Map<String, String> ENTRIES = new LinkedHashMap<>();

    static {
        ENTRIES.put("Explain Image...", ExplainImagePlugin.class.getName());
        ENTRIES.put("Measure Attribution", MeasureAttributionPlugin.class.getName());
        ENTRIES.put("Evaluate Explanation...", EvaluateExplanationPlugin.class.getName());
        ENTRIES.put("Sanity Check...", SanityCheckPlugin.class.getName());
        ENTRIES.put("Compare Methods...", CompareMethodsPlugin.class.getName());
    }

    private static Robot robot;

    private ImageJ ij;

    @BeforeAll
    static void needsDisplay() throws Exception {
        if (GraphicsEnvironment.isHeadless()) {
            fail("MenuScreenshotTest needs a display (java.awt.headless is true or DISPLAY is unset): run the tests "
                    + "under a virtual X server, e.g. `xvfb-run -a mvn -B test`.");
        }
        robot = new Robot();
        robot.setAutoDelay(0);
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void closeImageJ() throws Exception {
        if (ij == null) {
            return;
        }
        ImageJ frame = ij;
        ij = null;
        closeMenus(frame);
        // ImageJ.quit() minus Prefs.savePreferences() (would write ~/.imagej) and System.exit
        EventQueue.invokeAndWait(frame::dispose);
        if (IJ.getInstance() == frame) {
            Method cleanup = IJ.class.getDeclaredMethod("cleanup");
            cleanup.setAccessible(true);
            cleanup.invoke(null);
        }
        // Menus keeps the frame for its Window menu (which ImageJ.quit() leaves too); forget it, so that image
        // windows of later tests are not listed in the menu of a disposed frame.
        Field menusIj = Menus.class.getDeclaredField("ij");
        menusIj.setAccessible(true);
        if (menusIj.get(null) == frame) {
            menusIj.set(null, null);
        }
        IJ.setKeyUp(IJ.ALL_KEYS);
        IJ.resetEscape();
        assertNull(IJ.getInstance(), "an ImageJ instance is left behind");
    }

    @Test
    void pluginsMenuShowsTheExplainJSubmenu() throws Exception {
        assertNull(IJ.getInstance(), "another test left an ImageJ window open (IJ.getInstance() = "
                + IJ.getInstance() + "): ImageJ is a singleton, this test needs its own");
        ij = new ImageJ();
        List<String> installed = installPluginsConfig();
        System.out.println("installed from plugins.config: " + installed);

        // --- the menu structure ImageJ knows about
        Menu submenu = Menus.getImageJMenu("Plugins>" + SUBMENU);
        assertNotNull(submenu, "no submenu Plugins>" + SUBMENU + " in ij.Menus");
        Menu plugins = Menus.getImageJMenu("Plugins");
        assertNotNull(plugins, "no Plugins menu");
        int submenuIndex = indexOf(plugins, submenu);
        assertTrue(submenuIndex >= 0, SUBMENU + " is not an item of the Plugins menu");
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < submenu.getItemCount(); i++) {
            labels.add(submenu.getItem(i).getLabel());
        }
        assertEquals(new ArrayList<>(ENTRIES.keySet()), labels, "items of Plugins>" + SUBMENU);
        @SuppressWarnings("unchecked")
        Hashtable<String, String> commands = Menus.getCommands();
        for (Map.Entry<String, String> e : ENTRIES.entrySet()) {
            assertEquals(e.getValue(), commands.get(e.getKey()), "ImageJ command \"" + e.getKey() + "\"");
            assertTrue(PlugIn.class.isAssignableFrom(Class.forName(e.getValue())), e.getValue() + " is no PlugIn");
        }

        // --- the window, alone on the screen, with room below and right of it for the menus
        EventQueue.invokeAndWait(() -> {
            ij.setLocation(20, 20);
            ij.toFront();
        });
        Rectangle screen = new Rectangle(Toolkit.getDefaultToolkit().getScreenSize());
        BufferedImage before = waitForStableScreen(screen, null, "the ImageJ window");
        Rectangle frame = onEdt(() -> new Rectangle(ij.getLocationOnScreen(), ij.getSize()));
        System.out.println("ImageJ window " + frame + ", screen " + screen.getSize());

        // --- click "Plugins" in the menu bar
        Rectangle title = titleBounds(ij, plugins);
        Point click = new Point(frame.x + title.x + title.width / 2, frame.y + title.y + title.height / 2);
        System.out.println("Plugins title at " + title + " in the frame; click at " + click);
        robot.mouseMove(click.x, click.y);
        robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
        robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
        BufferedImage menuOpen = waitForStableScreen(screen, before, "the Plugins menu");
        Rectangle menuArea = changed(before, menuOpen);
        System.out.println("Plugins menu opened: changed area " + menuArea);
        int titleLeft = frame.x + title.x;
        assertTrue(Math.abs(menuArea.x - titleLeft) <= 4, "the menu that opened starts at x = " + menuArea.x
                + ", not under the Plugins title (x = " + titleLeft + "): wrong menu-bar title clicked?");
        assertTrue(menuArea.getMaxY() > frame.getMaxY(), "no menu below the menu bar: " + menuArea);

        // --- arrow keys: down to ExplainJ (the first item is selected), right opens its submenu
        int downs = selectableBetween(plugins, firstSelectable(plugins), submenuIndex);
        for (int i = 0; i < downs; i++) {
            key(KeyEvent.VK_DOWN);
        }
        key(KeyEvent.VK_RIGHT);
        BufferedImage submenuOpen = waitForStableScreen(screen, menuOpen, "the ExplainJ submenu");
        Rectangle submenuArea = changed(menuOpen, submenuOpen);
        System.out.println("ExplainJ submenu opened: changed area " + submenuArea);
        Rectangle menusArea = changed(before, submenuOpen);
        assertTrue(menusArea.getMaxX() > menuArea.getMaxX() + 20, "nothing opened to the right of the Plugins "
                + "menu (" + menuArea + "); changed area with the submenu: " + menusArea);

        // --- the screenshot: the window and the open menus
        Rectangle crop = frame.union(menusArea);
        crop.grow(10, 10);
        crop = crop.intersection(screen);
        BufferedImage shot = submenuOpen.getSubimage(crop.x, crop.y, crop.width, crop.height);
        Path file = SHOTS.resolve(SHOT);
        ImageIO.write(shot, "png", file.toFile());
        System.out.println("screenshot " + file.toAbsolutePath() + " " + shot.getWidth() + "x" + shot.getHeight());
        assertNotBlank(shot);
        assertFalse(changed(before.getSubimage(crop.x, crop.y, crop.width, crop.height), shot).isEmpty(),
                "the screenshot equals the screen before the menu was opened");

        // --- close the menus (a click outside them) and check the screen is back to the window alone
        closeMenus(ij);
        BufferedImage closed = waitForStableScreen(screen, submenuOpen, "the closed menus");
        Rectangle left = changed(before, closed);
        Rectangle statusBar = onEdt(() -> new Rectangle(frame.x, frame.y + frame.height - 30, frame.width, 30));
        assertTrue(left.isEmpty() || statusBar.contains(left), "menus still on the screen after closing: " + left);
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Installs every menu line of {@code target/classes/plugins.config}; returns the installed menu paths. */
    private static List<String> installPluginsConfig() throws Exception {
        Path classes = Path.of(ExplainImagePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path config = classes.resolve("plugins.config");
        assertTrue(Files.isRegularFile(config),
                "plugins.config is not at the root of " + classes + " (the pom's resources should copy it there)");
        List<String[]> entries = new ArrayList<>();
        for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
            line = line.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            // Plugins>ExplainJ, "Explain Image...", org.explainj.ij.ExplainImagePlugin
            int q1 = line.indexOf('"');
            int q2 = line.indexOf('"', q1 + 1);
            assertTrue(q1 > 0 && q2 > q1, "plugins.config line without a quoted label: " + line);
            String menu = line.substring(0, q1).trim();
            assertTrue(menu.endsWith(","), "plugins.config line without a comma after the menu: " + line);
            menu = menu.substring(0, menu.length() - 1).trim();
            String label = line.substring(q1 + 1, q2);
            String rest = line.substring(q2 + 1).trim();
            assertTrue(rest.startsWith(","), "plugins.config line without a class: " + line);
            String className = rest.substring(1).trim();
            entries.add(new String[] {menu + ">" + label, className});
        }
        List<String> paths = new ArrayList<>();
        EventQueue.invokeAndWait(() -> {
            for (String[] e : entries) {
                Menus.add(e[0], e[1]);
                paths.add(e[0]);
            }
        });
        return paths;
    }

    /**
     * Bounds of a menu's title in the frame's menu bar (frame coordinates). XToolkit's XMenuBarPeer lays titles out
     * from x = 0, each {@code 10 + text width + 10} wide with 2 px between them, 3 px from the top, the help menu
     * pushed to the right edge; the bar's height is the frame's top inset (no window-manager decorations here).
     */
    private static Rectangle titleBounds(ImageJ frame, Menu target) throws Exception {
        return onEdt(() -> {
            MenuBar bar = frame.getMenuBar();
            int x = 0;
            for (int i = 0; i < bar.getMenuCount(); i++) {
                Menu m = bar.getMenu(i);
                if (m == bar.getHelpMenu()) {
                    continue;
                }
                Font font = m.getFont() != null ? m.getFont() : new Font(Font.DIALOG, Font.PLAIN, 12);
                FontMetrics fm = frame.getFontMetrics(font);
                int width = 10 + fm.stringWidth(m.getLabel()) + 10;
                if (m == target) {
                    int top = frame.getInsets().top;
                    return new Rectangle(x, 3, width, Math.max(1, top - 6));
                }
                x += width + 2;
            }
            throw new AssertionError(target.getLabel() + " is not in the ImageJ menu bar");
        });
    }

    private static int indexOf(Menu menu, MenuItem item) {
        for (int i = 0; i < menu.getItemCount(); i++) {
            if (menu.getItem(i) == item) {
                return i;
            }
        }
        return -1;
    }

    private static boolean selectable(MenuItem item) {
        return item.isEnabled() && !"-".equals(item.getLabel());
    }

    private static int firstSelectable(Menu menu) {
        for (int i = 0; i < menu.getItemCount(); i++) {
            if (selectable(menu.getItem(i))) {
                return i;
            }
        }
        throw new AssertionError(menu.getLabel() + " has no enabled item");
    }

    /** Down-arrow presses from item {@code from} to item {@code to} (separators and disabled items are skipped). */
    private static int selectableBetween(Menu menu, int from, int to) {
        int n = 0;
        for (int i = from + 1; i <= to; i++) {
            if (selectable(menu.getItem(i))) {
                n++;
            }
        }
        return n;
    }

    private static void key(int code) throws InterruptedException {
        robot.keyPress(code);
        robot.keyRelease(code);
        Thread.sleep(60);
    }

    /** A click on the empty screen, away from the window and its menus: closes open menus (XToolkit ungrabs). */
    private static void closeMenus(ImageJ frame) throws Exception {
        Rectangle screen = new Rectangle(Toolkit.getDefaultToolkit().getScreenSize());
        robot.mouseMove(screen.width - 5, screen.height - 5);
        robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
        robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
        EventQueue.invokeAndWait(() -> { });
    }

    /**
     * Waits (at most 10 s) until the screen differs from {@code from} (if given) and then stays the same for two
     * captures 150 ms apart; returns that capture.
     */
    private static BufferedImage waitForStableScreen(Rectangle area, BufferedImage from, String what)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        BufferedImage last = null;
        while (System.nanoTime() < deadline) {
            EventQueue.invokeAndWait(() -> { });
            Toolkit.getDefaultToolkit().sync();
            Thread.sleep(150);
            BufferedImage now = robot.createScreenCapture(area);
            boolean differs = from == null || !changed(from, now).isEmpty();
            if (differs && last != null && changed(last, now).isEmpty()) {
                return now;
            }
            last = differs ? now : null;
        }
        throw new AssertionError(from == null ? what + ": the screen did not settle within 10 s"
                : what + ": the screen did not change (or did not settle) within 10 s");
    }

    /** The bounding box of the pixels that differ (empty if none). */
    private static Rectangle changed(BufferedImage a, BufferedImage b) {
        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = -1;
        int maxY = -1;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    minX = Math.min(minX, x);
                    minY = Math.min(minY, y);
                    maxX = Math.max(maxX, x);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        return maxX < 0 ? new Rectangle() : new Rectangle(minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    private static void assertNotBlank(BufferedImage img) {
        int first = img.getRGB(0, 0);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (img.getRGB(x, y) != first) {
                    return;
                }
            }
        }
        fail("the menu screenshot is a single colour: nothing was drawn");
    }

    private interface EdtCall<T> {
        T call() throws Exception;
    }

    private static <T> T onEdt(EdtCall<T> call) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        EventQueue.invokeAndWait(() -> {
            try {
                result.set(call.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }
}
