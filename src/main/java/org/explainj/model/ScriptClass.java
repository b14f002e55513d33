package org.explainj.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One class of a TorchScript archive's serialized code ({@code code/__torch__/...py}): its attributes in declaration
 * order and the source of its methods. Parsed from the Python subset that torch.jit.save writes.
 */
final class ScriptClass {

    /** A method: header pieces and body lines (original indentation, continuation lines joined). */
    record Method(String name, String selfName, String params, String returnType, List<String> body) {
    }

    private static final Pattern CLASS = Pattern.compile("^class (\\w+)\\((\\w+)\\):\\s*$");
    private static final Pattern ATTRIBUTE = Pattern.compile("^  (\\w+) : (.+?)(?: = .*)?$");
    private static final Pattern ANNOTATION = Pattern.compile("^  __annotations__\\[\"([^\"]+)\"\\] = (.+)$");
    private static final Pattern DEF = Pattern.compile("^  def (\\w+)\\((\\w+)\\s*:");

    final String qualifiedName;
    final String simpleName;
    final String base;
    final String file;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final Map<String, Method> methods = new LinkedHashMap<>();

    private ScriptClass(String qualifiedName, String simpleName, String base, String file) {
        this.qualifiedName = qualifiedName;
        this.simpleName = simpleName;
        this.base = base;
        this.file = file;
    }

    boolean isModule() {
        return "Module".equals(base);
    }

    /**
     * Parses every class of one code file.
     *
     * @param entry      archive entry name, e.g. {@code model/code/__torch__/torch/nn/modules/conv.py}
     * @param codePrefix {@code model/code/}
     */
    static List<ScriptClass> parseFile(String entry, String codePrefix, String text) {
        String modulePath = entry.substring(codePrefix.length(), entry.length() - ".py".length()).replace('/', '.');
        List<String> lines = logicalLines(text);
        List<ScriptClass> classes = new ArrayList<>();
        ScriptClass current = null;
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            Matcher cm = CLASS.matcher(line);
            if (cm.matches()) {
                current = new ScriptClass(modulePath + "." + cm.group(1), cm.group(1), cm.group(2), entry);
                classes.add(current);
                i++;
                continue;
            }
            if (!line.startsWith(" ")) { // a free function or anything else at column 0
                current = null;
                i++;
                continue;
            }
            if (current == null) {
                i++;
                continue;
            }
            Matcher dm = DEF.matcher(line);
            if (dm.find()) {
                String header = line.trim();
                int open = header.indexOf('(');
                int close = open < 0 ? -1 : SourceText.matchingParen(header, open);
                if (close < 0) {
                    throw new ModelException("Cannot read the method header \"" + header + "\" in " + entry
                            + ": its parentheses do not match. The model file may be damaged: export it again with "
                            + "torch.jit.save.");
                }
                String params = header.substring(open + 1, close);
                String rest = header.substring(close + 1).trim();
                String ret = rest.startsWith("->") ? rest.substring(2, rest.length() - 1).trim() : "";
                List<String> body = new ArrayList<>();
                i++;
                while (i < lines.size() && (lines.get(i).startsWith("    ") || lines.get(i).isBlank())) {
                    if (!lines.get(i).isBlank()) {
                        body.add(lines.get(i));
                    }
                    i++;
                }
                current.methods.put(dm.group(1), new Method(dm.group(1), dm.group(2), params, ret, body));
                continue;
            }
            Matcher am = ANNOTATION.matcher(line);
            if (am.matches()) {
                current.attributes.put(am.group(1), am.group(2).trim());
            } else {
                Matcher at = ATTRIBUTE.matcher(line);
                if (at.matches()) {
                    current.attributes.put(at.group(1), at.group(2).trim());
                }
            }
            i++;
        }
        return classes;
    }

    /** Joins physical lines until brackets balance, so that one entry is one statement or header. */
    static List<String> logicalLines(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder pending = null;
        int depth = 0;
        for (String raw : text.split("\n", -1)) {
            if (pending == null) {
                pending = new StringBuilder(raw);
            } else {
                pending.append(' ').append(raw.trim());
            }
            depth += SourceText.bracketDelta(raw);
            if (depth <= 0) {
                out.add(pending.toString());
                pending = null;
                depth = 0;
            }
        }
        if (pending != null) {
            out.add(pending.toString());
        }
        return out;
    }

    @Override
    public String toString() {
        return qualifiedName;
    }
}
