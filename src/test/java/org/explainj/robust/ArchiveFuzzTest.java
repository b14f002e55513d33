package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the TorchScript archive (tinycnn.pt): {@value #COUNT} seeded corruptions (truncations; bit flips in
 * data.pkl, its integers, the code, the tensor data, the other entries, the zip headers, the padding, the central
 * directory and the end records; overwritten runs), each loaded and explained in a CHILD JVM
 * ({@link ArchiveFuzzMain}) so that a native crash in libtorch cannot kill the test JVM. Each corruption must give
 * a clear ExplainJ error, or the pristine model's result; never a crash, a hang of more than 10 s (or more than 3 GB
 * of resident memory), a raw exception or a silently different heatmap.
 *
 * <p>The table of every case is written to {@code target/robust-fuzz.txt}.
 */
@Slow
class ArchiveFuzzTest {

    static final long SEED = 20240917L;
    static final int COUNT = 260;
    static final long HANG_MS = 10_000;
    /** A child above this resident size is killed (a JVM with the tiny model needs about 0.5 GB). */
    static final long MAX_RSS_KB = 3L << 20;
    static final Path REPORT = Path.of("target", "robust-fuzz.txt");

    /** One corruption's fate. */
    record Case(int index, String crc, String corruption, String outcome, String detail) {
    }

    private static List<Case> results;
    private static Throwable failure;
    private static Path work;

    /** Runs the fuzz once (children restarted after each crash or hang) and returns every case. */
    static synchronized List<Case> results() throws Exception {
        if (failure != null) {
            throw new AssertionError("the fuzz run failed", failure);
        }
        if (results == null) {
            try {
                work = Files.createTempDirectory("explainj-fuzz");
                results = fuzz(work);
                writeReport(results);
            } catch (Exception | Error e) {
                failure = e;
                throw e;
            }
        }
        return results;
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (work != null) {
            try (Stream<Path> s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<Case> fuzz(Path work) throws Exception {
        Path model = Resources.path("reference/models/tinycnn.pt");
        List<Case> cases = new ArrayList<>();
        int total = Integer.MAX_VALUE;
        int next = 0;
        int children = 0;
        while (next < total) {
            children++;
            List<String> cmd = Survey.childJava("-Xmx1g", "-XX:ErrorFile=" + work.resolve("hs_err_pid%p.log"),
                    "-Dexplainj.threads=1");
            cmd.addAll(List.of(ArchiveFuzzMain.class.getName(), model.toString(), work.resolve("child").toString(),
                    Long.toString(SEED), Integer.toString(COUNT), Integer.toString(next)));
            Process p = new ProcessBuilder(cmd).redirectError(work.resolve("child-" + children + ".err").toFile())
                    .start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // the child was killed
                }
                lines.add("EOF");
            }, "fuzz child reader");
            reader.setDaemon(true);
            reader.start();
            int current = -1;
            String started = null;
            String crc = null;
            boolean done = false;
            long caseStart = System.currentTimeMillis();
            while (true) {
                String line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line == null) {
                    long waited = System.currentTimeMillis() - caseStart;
                    long rssKb = rssKb(p.pid());
                    boolean memory = current >= 0 && rssKb > MAX_RSS_KB;
                    if (!memory && waited < (current >= 0 ? HANG_MS : 60_000)) {
                        continue;
                    }
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    if (current < 0) {
                        throw new AssertionError("the fuzz child did not start within 60 s: "
                                + Files.readString(work.resolve("child-" + children + ".err")));
                    }
                    cases.add(memory ? new Case(current, crc, started, "MEMORY", "resident memory " + rssKb / 1024
                            + " MB after " + waited + " ms: killed") : new Case(current, crc, started, "HANG",
                            "no result within " + HANG_MS + " ms; child RSS " + rssKb / 1024 + " MB when killed"));
                    next = current + 1;
                    break;
                }
                if (line.equals("EOF")) {
                    p.waitFor(30, TimeUnit.SECONDS);
                    if (done) {
                        next = total;
                        break;
                    }
                    if (current < 0) {
                        throw new AssertionError("the fuzz child died outside a case (exit " + p.exitValue() + "): "
                                + Files.readString(work.resolve("child-" + children + ".err")));
                    }
                    cases.add(new Case(current, crc, started, "CRASH", "exit " + p.exitValue()
                            + crashInfo(work, p.pid())));
                    next = current + 1;
                    break;
                }
                if (line.startsWith("READY ")) {
                    total = Integer.parseInt(line.substring(6).trim());
                } else if (line.startsWith("START ")) {
                    String[] f = line.split(" ", 4);
                    current = Integer.parseInt(f[1]);
                    caseStart = System.currentTimeMillis();
                    crc = f[2];
                    started = f[3];
                } else if (line.startsWith("RESULT ")) {
                    String[] f = line.split(" ", 4);
                    int i = Integer.parseInt(f[1]);
                    cases.add(new Case(i, crc, started, f[2], f.length > 3 ? f[3] : ""));
                    current = -1;
                } else if (line.equals("DONE")) {
                    done = true;
                }
            }
        }
        System.out.println("fuzz: " + cases.size() + " corruptions in " + children + " child JVM(s)");
        return cases;
    }

    /** A process's resident memory (VmRSS from /proc) in kB, or -1. */
    static long rssKb(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                    .findFirst().orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The signal and problematic frame from the child's hs_err file, if the JVM wrote one. */
    private static String crashInfo(Path work, long pid) throws IOException {
        Path hs = work.resolve("hs_err_pid" + pid + ".log");
        if (!Files.isRegularFile(hs)) {
            return " (no hs_err file: killed by a signal the JVM did not handle, e.g. abort() from libtorch)";
        }
        List<String> keep = Files.readAllLines(hs).stream().filter(l -> l.matches("#\\s+SIG.*") || l.startsWith("# C  ")
                || l.startsWith("# j "))
                .limit(4).toList();
        return " hs_err: " + String.join(" ", keep);
    }

    private static void writeReport(List<Case> cases) throws IOException {
        StringBuilder sb = new StringBuilder();
        Map<String, Long> byOutcome = cases.stream().collect(Collectors.groupingBy(Case::outcome, TreeMap::new,
                Collectors.counting()));
        sb.append("corruptions: ").append(cases.size()).append(", outcomes: ").append(byOutcome).append('\n');
        Map<String, Map<String, Long>> byKind = cases.stream().collect(Collectors.groupingBy(
                c -> c.corruption().split(" ")[0], TreeMap::new, Collectors.groupingBy(Case::outcome, TreeMap::new,
                        Collectors.counting())));
        byKind.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
        Map<String, Map<String, Long>> byCrc = cases.stream().collect(Collectors.groupingBy(Case::outcome,
                TreeMap::new, Collectors.groupingBy(Case::crc, TreeMap::new, Collectors.counting())));
        sb.append("zip checksums (crc=bad: a CRC-32 check of every entry in Java would refuse the file; crc=unreadable:"
                + " java.util.zip already refuses it):\n");
        byCrc.forEach((k, v) -> sb.append("  ").append(k).append(": ").append(v).append('\n'));
        Map<String, Long> messages = cases.stream().filter(c -> c.outcome().equals("ERROR")
                || c.outcome().equals("RAW")).collect(Collectors.groupingBy(c -> template(c.detail()), TreeMap::new,
                Collectors.counting()));
        sb.append("error messages (numbers replaced by #):\n");
        messages.forEach((m, n) -> sb.append(String.format("  %4d  %s%n", n, m)));
        sb.append("cases:\n");
        for (Case c : cases) {
            sb.append(String.format("  %3d %-9s %-14s %s | %s%n", c.index(), c.outcome(), c.crc(), c.corruption(),
                    c.detail()));
        }
        Files.createDirectories(REPORT.getParent());
        Files.writeString(REPORT, sb.toString());
        System.out.print(sb.substring(0, sb.indexOf("cases:\n")));
    }

    /** A message with the numbers and file names taken out, to count messages of the same kind. */
    static String template(String detail) {
        String t = detail.replaceAll("c\\d+\\.pt", "cN.pt").replaceAll("\\d+", "#");
        return t.length() > 160 ? t.substring(0, 160) : t;
    }

    private static List<Case> outcome(String outcome) throws Exception {
        return results().stream().filter(c -> c.outcome().equals(outcome)).toList();
    }

    private static String list(List<Case> cases) {
        return cases.stream().limit(25).map(c -> c.index() + " " + c.crc() + " " + c.corruption() + " -> "
                + c.detail())
                .collect(Collectors.joining("\n  ", "\n  ", cases.size() > 25 ? "\n  ..." : ""));
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    void atLeast200CorruptionsAreLoadedAndExplained() throws Exception {
        List<Case> cases = results();
        assertTrue(cases.size() >= 200, cases.size() + " cases");
        assertEquals(cases.size(), cases.stream().map(Case::index).distinct().count(), "each case once");
        Survey.record("fuzz: statistics", Files.readString(REPORT).lines().limit(14)
                .collect(Collectors.joining(" / ")));
    }

    @Test
    void everyTruncationIsAModelExceptionNamingTheFile() throws Exception {
        List<Case> truncations = results().stream().filter(c -> c.corruption().startsWith("truncate ")).toList();
        assertTrue(truncations.size() >= 20, truncations.size() + " truncations");
        for (Case c : truncations) {
            assertEquals("ERROR", c.outcome(), c.index() + " " + c.corruption() + ": " + c.detail());
            assertTrue(c.detail().startsWith("ModelException load:") && clear(c), c.index() + ": " + c.detail());
        }
    }

    @Test
    void flipsInTheZipPaddingAreHarmless() throws Exception {
        List<Case> padding = results().stream().filter(c -> c.corruption().startsWith("flip-padding ")).toList();
        assertTrue(padding.size() >= 10, padding.size() + " padding flips");
        for (Case c : padding) {
            assertEquals("HARMLESS", c.outcome(), c.index() + " " + c.corruption() + ": " + c.detail());
        }
    }

    /**
     * storage_offset 0 -> 2^28 of the first 1-D tensor, with valid CRC-32s (crafted-offset): libtorch's unpickler
     * does not check a tensor's extent against its storage, and batch_norm reads 1 GB past it (SIGSEGV).
     */
    @Test
    void noCorruptionCrashesTheJvm() throws Exception {
        List<Case> crashes = outcome("CRASH");
        assertTrue(crashes.isEmpty(), crashes.size() + " corruption(s) crashed the JVM:" + list(crashes));
    }

    /**
     * REDUCE -> LONG_BINPUT (one bit, data.pkl) or a crafted LONG_BINPUT 2^29: libtorch's unpickler resizes its memo
     * to the index (9 GB) and does not return within 10 s; on a machine with less memory the OOM killer ends ImageJ.
     */
    @Test
    void noCorruptionHangsOrExhaustsMemory() throws Exception {
        List<Case> hangs = new ArrayList<>(outcome("HANG"));
        hangs.addAll(outcome("MEMORY"));
        assertTrue(hangs.isEmpty(), hangs.size() + " corruption(s) hung or exhausted memory:" + list(hangs));
    }

    @Test
    void everyFailureIsAnExplainJExceptionNotARawOne() throws Exception {
        List<Case> raw = outcome("RAW");
        assertTrue(raw.isEmpty(), raw.size() + " corruption(s) gave a raw exception:" + list(raw));
    }

    /**
     * A damaged file's error names the file and says what to do: that it is damaged or not a TorchScript model,
     * and to export (save) it again. libtorch's own first line ("Unknown opcode for unpickling", "INTERNAL ASSERT
     * FAILED ... please report a bug to PyTorch") and "Check the input size and channel count" do not.
     */
    @Test
    void everyErrorNamesTheFileAndSaysItIsDamagedOrNotTorchScript() throws Exception {
        List<Case> unclear = outcome("ERROR").stream().filter(c -> !clear(c)).toList();
        assertTrue(unclear.isEmpty(), unclear.size() + " of " + outcome("ERROR").size() + " errors do not say that "
                + "the file is damaged (or not TorchScript) and what to do:" + list(unclear));
    }

    static boolean clear(Case c) {
        String d = c.detail().toLowerCase(java.util.Locale.ROOT);
        boolean namesFile = d.contains("c" + c.index() + ".pt");
        boolean saysWhat = d.contains("damaged") || d.contains("corrupt") || d.contains("truncated")
                || d.contains("not a torchscript model");
        boolean saysWhatToDo = d.contains("export") || d.contains("save") || d.contains("download")
                || d.contains("copy");
        return namesFile && saysWhat && saysWhatToDo;
    }

    @Test
    void noCorruptionGivesASilentlyDifferentHeatmap() throws Exception {
        List<Case> diff = outcome("DIFFERENT");
        assertTrue(diff.isEmpty(), diff.size() + " corruption(s) loaded and explained without an error, with a "
                + "heatmap that differs from the intact model's:" + list(diff));
    }
}
