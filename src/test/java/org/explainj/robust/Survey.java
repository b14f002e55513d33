package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.function.Executable;

/**
 * Helpers of the bad-input survey: what the user sees for each case is printed as one {@code SURVEY |} line (and
 * appended to {@code target/robust-survey.txt}) before it is checked, so the report can quote the exact message.
 */
final class Survey {

    static final Path LOG = Path.of("target", "robust-survey.txt");

    private Survey() {
    }

    /** Records what a case shows the user. */
    static void record(String kase, String seen) {
        String line = "SURVEY | " + kase + " | " + seen.replace('\n', ' ');
        System.out.println(line);
        try {
            Files.createDirectories(LOG.getParent());
            Files.writeString(LOG, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is a convenience for the report
        }
    }

    /**
     * Runs {@code run}, records what it threw, and checks the exception type and that the message mentions every
     * part (case-insensitive). Returns the message.
     */
    static String error(String kase, Class<? extends Throwable> type, Executable run, String... parts) {
        Throwable thrown = null;
        try {
            run.execute();
        } catch (Throwable t) {
            thrown = t;
        }
        if (thrown == null) {
            record(kase, "no error");
            fail(kase + ": expected " + type.getSimpleName() + ", but nothing was thrown");
        }
        record(kase, thrown.getClass().getSimpleName() + ": " + thrown.getMessage());
        if (!type.isInstance(thrown)) {
            throw new AssertionError(kase + ": expected " + type.getSimpleName() + ", got " + thrown, thrown);
        }
        return mentions(thrown.getMessage(), parts);
    }

    /** Checks that {@code text} contains every part (case-insensitive); returns the text. */
    static String mentions(String text, String... parts) {
        assertNotNull(text, "no message");
        String lower = text.toLowerCase(Locale.ROOT);
        for (String p : parts) {
            assertTrue(lower.contains(p.toLowerCase(Locale.ROOT)), "\"" + p + "\" not in: " + text);
        }
        return text;
    }

    static String sha256(Path file) {
        return org.explainj.model.ModelCache.sha256(file);
    }

    /** The java command and class path for a child JVM that sees the test classes and every dependency. */
    static List<String> childJava(String... jvmOptions) {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dai.djl.offline=true");
        cmd.add("-Dai.djl.pytorch.graph_optimizer=false");
        cmd.add("-Djava.awt.headless=true");
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(cp);
        return cmd;
    }

    /** What a child JVM did: its exit code (-1 when it was killed after the timeout), stdout, stderr. */
    record Child(int exit, String out, String err, boolean timedOut) {
    }

    /** Runs {@code RobustChildMain} with the arguments in a child JVM, killed after {@code timeoutS} seconds. */
    static Child child(long timeoutS, List<String> jvm, String... args) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("explainj-child");
        List<String> cmd = childJava(jvm.toArray(new String[0]));
        cmd.add("-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"));
        cmd.add(RobustChildMain.class.getName());
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean done = p.waitFor(timeoutS, java.util.concurrent.TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        String hs = "";
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList()) {
                hs = Files.readAllLines(f).stream().filter(l -> l.matches("#\\s+SIG.*") || l.startsWith("# C  ")
                        || l.startsWith("# J ") || l.startsWith("# j ")).limit(4)
                        .reduce("\nhs_err: ", (a, b) -> a + " " + b);
            }
        }
        return new Child(done ? p.exitValue() : -1, Files.readString(out), Files.readString(err) + hs, !done);
    }
}
