package org.explainj.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.Set;
import org.explainj.model.script.Lexer;
import org.explainj.model.script.Parser;
import org.explainj.model.script.ScriptSyntaxException;
import org.explainj.model.script.Stmt;
import org.explainj.model.script.Token;

/**
 * The serialized code of a TorchScript archive, parsed: every file's statements, its classes and its module-level
 * functions by qualified name ({@code __torch__.torch.nn.functional.relu}), and every identifier used.
 */
final class ScriptCode {

    /** A module-level function. */
    record Function(String qualifiedName, String module, String file, Stmt.FunctionDef definition) {
    }

    private final Map<String, List<Stmt>> files = new LinkedHashMap<>();
    private final Map<String, String> texts = new LinkedHashMap<>();
    private final Map<String, ScriptClass> classes = new LinkedHashMap<>();
    private final Map<String, Function> functions = new LinkedHashMap<>();
    private final TreeSet<String> identifiers = new TreeSet<>();

    private ScriptCode() {
    }

    /** Parses every code file of the archive; a file the parser cannot read is a {@link ModelException}. */
    static ScriptCode of(TorchScriptArchive archive) {
        return of(archive.root(), archive.codeFiles());
    }

    /**
     * Parses code files given as archive entries ({@code <root>/code/__torch__/...py}) with their text.
     */
    static ScriptCode of(String root, Map<String, String> codeFiles) {
        ScriptCode code = new ScriptCode();
        String prefix = root + "/code/";
        for (Map.Entry<String, String> e : codeFiles.entrySet()) {
            String entry = e.getKey();
            String module = entry.substring(prefix.length(), entry.length() - ".py".length()).replace('/', '.');
            List<Stmt> statements;
            try {
                statements = Parser.parseFile(e.getValue());
                for (Token t : Lexer.tokenize(e.getValue())) {
                    if (t.kind() == Token.Kind.NAME) {
                        code.identifiers.add(t.text());
                    }
                }
            } catch (ScriptSyntaxException ex) {
                throw new ModelException("cannot read the serialized code " + entry.substring(prefix.length())
                        + " (" + ex.getMessage() + ")");
            }
            code.files.put(entry, statements);
            code.texts.put(entry, e.getValue());
            for (Stmt s : statements) {
                if (s instanceof Stmt.ClassDef c) {
                    ScriptClass sc = new ScriptClass(module, entry, c);
                    code.classes.put(sc.qualifiedName, sc);
                } else if (s instanceof Stmt.FunctionDef f) {
                    String q = module + "." + f.name();
                    code.functions.put(q, new Function(q, module, entry, f));
                }
            }
        }
        return code;
    }

    Map<String, ScriptClass> classes() {
        return classes;
    }

    Map<String, Function> functions() {
        return functions;
    }

    /** The text of one code file as the archive holds it. */
    String text(String entry) {
        return texts.get(entry);
    }

    /** The statements of one code file (archive entry name). */
    List<Stmt> file(String entry) {
        return files.get(entry);
    }

    /**
     * A name prefix that no identifier of the code starts with: {@code ej_}, else {@code ej1_}, {@code ej2_}, ...
     * (a prepared copy given as a model again, or a model whose own names start with {@code ej_}).
     */
    String freePrefix() {
        for (int i = 0; ; i++) {
            String p = i == 0 ? "ej_" : "ej" + i + "_";
            String after = identifiers.ceiling(p);
            if (after == null || !after.startsWith(p)) {
                return p;
            }
        }
    }
}
