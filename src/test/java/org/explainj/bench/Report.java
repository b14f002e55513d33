package org.explainj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects {@link Row}s and writes them as Markdown (one table per section) and CSV. */
public final class Report {

    private final List<Row> rows = new ArrayList<>();
    private final List<String> header = new ArrayList<>();
    private final Map<String, String> sectionNotes = new LinkedHashMap<>();
    private List<String> order = List.of();

    /** Sections whose title starts with one of these prefixes come first, in this order; the rest follow. */
    public void sectionOrder(String... prefixes) {
        order = List.of(prefixes);
    }

    private int rank(String section) {
        for (int i = 0; i < order.size(); i++) {
            if (section.startsWith(order.get(i))) {
                return i;
            }
        }
        return order.size();
    }

    public Row add(Row r) {
        rows.add(r);
        return r;
    }

    public List<Row> rows() {
        return rows;
    }

    /** A line above the tables (command, machine...). */
    public void header(String line) {
        header.add(line);
    }

    /** A paragraph under a section's title. */
    public void sectionNote(String section, String note) {
        sectionNotes.merge(section, note, (a, b) -> a + "\n\n" + b);
    }

    public void writeMarkdown(Path file, String title) throws IOException {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        for (String h : header) {
            sb.append(h).append('\n');
        }
        Map<String, List<Row>> bySection = new LinkedHashMap<>();
        for (Row r : rows) {
            bySection.computeIfAbsent(r.section, k -> new ArrayList<>()).add(r);
        }
        List<Map.Entry<String, List<Row>>> sections = new ArrayList<>(bySection.entrySet());
        sections.sort(java.util.Comparator.comparingInt(en -> rank(en.getKey())));
        for (Map.Entry<String, List<Row>> e : sections) {
            sb.append("\n## ").append(e.getKey()).append("\n\n");
            String note = sectionNotes.get(e.getKey());
            if (note != null) {
                sb.append(note).append("\n\n");
            }
            List<Row> rs = e.getValue();
            boolean values = rs.stream().allMatch(r -> r.stats == null);
            boolean ideal = rs.stream().anyMatch(r -> !Double.isNaN(r.idealMs));
            boolean fwd = rs.stream().anyMatch(r -> !Double.isNaN(r.xForward));
            boolean targets = rs.stream().anyMatch(r -> !r.target.isEmpty());
            boolean models = rs.stream().map(r -> r.model).distinct().count() > 1
                    || rs.stream().anyMatch(r -> !r.model.isEmpty());
            List<String> cols = new ArrayList<>();
            if (models) {
                cols.add("model");
            }
            cols.add("item");
            if (values) {
                cols.add("value");
            } else {
                cols.add("warm-ups + reps");
                cols.add("1st call ms");
                cols.add("median ms");
                cols.add("min – max ms");
                if (fwd) {
                    cols.add("× forward");
                }
                if (ideal) {
                    cols.add("ideal ms");
                    cols.add("× ideal");
                }
            }
            if (targets) {
                cols.add("target");
                cols.add("status");
            }
            cols.add("note");
            sb.append("| ").append(String.join(" | ", cols)).append(" |\n|");
            cols.forEach(c -> sb.append(" --- |"));
            sb.append('\n');
            for (Row r : rs) {
                List<String> v = new ArrayList<>();
                if (models) {
                    v.add(r.model);
                }
                v.add(r.item);
                if (values) {
                    v.add(r.stats == null && !Double.isNaN(r.value) ? fmt(r.value) + " " + r.unit : "");
                } else {
                    Stats s = r.stats;
                    if (s == null) {
                        v.add("");
                        v.add("");
                        v.add(Double.isNaN(r.value) ? "" : fmt(r.value) + " " + r.unit);
                        v.add("");
                    } else {
                        v.add(s.reps() == 0 ? "derived" : s.warmups() + " + " + s.reps());
                        v.add(fmt(s.firstMs()));
                        v.add("**" + fmt(s.medianMs()) + "**");
                        v.add(Double.isNaN(s.minMs()) ? "" : s.reps() == 1 ? "" : fmt(s.minMs()) + " – "
                                + fmt(s.maxMs()));
                    }
                    if (fwd) {
                        v.add(Row.fmtRatio(r.xForward));
                    }
                    if (ideal) {
                        v.add(fmt(r.idealMs));
                        v.add(Row.fmtRatio(r.xIdeal));
                    }
                }
                if (targets) {
                    v.add(r.target);
                    v.add(r.status.startsWith("missed") ? "**" + r.status + "**" : r.status);
                }
                v.add(noteWithLoad(r).replace("|", "\\|"));
                sb.append("| ").append(String.join(" | ", v)).append(" |\n");
            }
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb.toString());
    }

    public void writeCsv(Path file, String threads) throws IOException {
        StringBuilder sb = new StringBuilder("threads,section,model,item,warmups,reps,first_ms,median_ms,min_ms,"
                + "max_ms,mean_ms,foreign_cpu,x_forward,ideal_ms,x_ideal,value,unit,target,status,note\n");
        for (Row r : rows) {
            Stats s = r.stats;
            List<String> v = List.of(threads, r.section, r.model, r.item,
                    s == null ? "" : Integer.toString(s.warmups()), s == null ? "" : Integer.toString(s.reps()),
                    s == null ? "" : num(s.firstMs()), s == null ? "" : num(s.medianMs()),
                    s == null ? "" : num(s.minMs()), s == null ? "" : num(s.maxMs()),
                    s == null ? "" : num(s.meanMs()), s == null ? "" : num(s.foreignCpu()), num(r.xForward), num(r.idealMs), num(r.xIdeal),
                    num(r.value), r.unit, r.target, r.status, r.note);
            List<String> q = new ArrayList<>();
            for (String x : v) {
                q.add(csv(x));
            }
            sb.append(String.join(",", q)).append('\n');
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, sb.toString());
    }

    /** Threshold above which a row is flagged: other processes used this share of the CPU meanwhile. */
    public static final double FOREIGN_CPU_FLAG = 0.05;

    static String noteWithLoad(Row r) {
        if (r.stats != null && r.stats.foreignCpu() > FOREIGN_CPU_FLAG) {
            String flag = String.format(Locale.ROOT, "⚠ other processes used %.0f %% of the CPU meanwhile",
                    100 * r.stats.foreignCpu());
            return r.note.isEmpty() ? flag : r.note + "; " + flag;
        }
        return r.note;
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 1000 ? "%.0f" : a >= 100 ? "%.1f" : a >= 10 ? "%.2f"
                : a >= 0.1 ? "%.3f" : "%.4f", v);
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String csv(String s) {
        if (s == null) {
            return "";
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }
}
