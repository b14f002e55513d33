package org.explainj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the benchmark ran on: processors, CPU model, Java, and the repository state. */
public final class Machine {

    private Machine() {
    }

    public static int nproc() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The first "model name" of /proc/cpuinfo. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
        return "unknown";
    }

    /** The output of {@code java -version} of this JVM's own java binary (three lines). */
    public static String javaVersion() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String out = run(java, "-version");
        return out == null ? System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                : out.strip();
    }

    /** Output of a short command, or null. */
    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] bytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return new String(bytes).strip();
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /**
     * Git commit and the uncommitted changes in src/main besides the benchmark's own files (the code measured is
     * the working tree).
     */
    public static String gitState() {
        String head = run("git", "rev-parse", "--short", "HEAD");
        if (head == null) {
            return "unknown (not a git checkout)";
        }
        List<String> changed = new ArrayList<>();
        try {
            Process p = new ProcessBuilder("git", "status", "--porcelain", "--", "src/main").redirectErrorStream(true)
                    .start();
            for (String l : new String(p.getInputStream().readAllBytes()).split("\n")) {
                if (l.length() > 3) {
                    String path = l.substring(3).trim();
                    if (!path.contains("org/explainj/bench/") && !path.endsWith("cli/Bench.java")) {
                        changed.add(path);
                    }
                }
            }
            p.waitFor(20, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return head + " (working tree state unknown)";
        }
        return head + (changed.isEmpty() ? " (no other uncommitted changes in src/main)"
                : " + uncommitted changes in " + String.join(", ", changed));
    }
}
