package org.explainj.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.explainj.model.script.Expr;
import org.explainj.model.script.Printer;
import org.explainj.model.script.Stmt;

/**
 * One class of a TorchScript archive's serialized code ({@code code/__torch__/...py}), read from its syntax tree:
 * its attributes in declaration order (name to type) and its methods.
 */
final class ScriptClass {

    final String qualifiedName;
    final String simpleName;
    final String base;
    final String file;
    final Stmt.ClassDef definition;
    final Map<String, String> attributes = new LinkedHashMap<>();
    final Map<String, Stmt.FunctionDef> methods = new LinkedHashMap<>();

    ScriptClass(String module, String file, Stmt.ClassDef def) {
        this.qualifiedName = module + "." + def.name();
        this.simpleName = def.name();
        this.base = def.bases().isEmpty() ? "" : Printer.expression(def.bases().get(0));
        this.file = file;
        this.definition = def;
        for (Stmt s : def.body()) {
            if (s instanceof Stmt.AnnAssign a && a.target() instanceof Expr.Name n) {
                attributes.put(n.id(), Printer.expression(a.annotation()));
            } else if (s instanceof Stmt.Assign a && a.targets().size() == 1
                    && a.targets().get(0) instanceof Expr.Subscript sub
                    && sub.value() instanceof Expr.Name n && n.id().equals("__annotations__")
                    && sub.index() instanceof Expr.Constant key) {
                attributes.put(unquote(key.text()), Printer.expression(a.value()));
            } else if (s instanceof Stmt.FunctionDef f) {
                methods.put(f.name(), f);
            }
        }
    }

    boolean isModule() {
        return "Module".equals(base);
    }

    /**
     * Whether a method is a module's forward: {@code forward}, {@code forward1}, ... (a traced module called more
     * than once) or {@code forward__0}, ... (overloads of a scripted forward).
     */
    static boolean isForward(String method) {
        return method.matches("forward(\\d*|__\\d+)");
    }

    /** A forward of the class: {@code forward}, else its first numbered or overloaded one; null if none. */
    Stmt.FunctionDef forward() {
        Stmt.FunctionDef f = methods.get("forward");
        if (f != null) {
            return f;
        }
        for (Stmt.FunctionDef m : methods.values()) {
            if (isForward(m.name())) {
                return m;
            }
        }
        return null;
    }

    /** The declared return type of a method as written ({@code Tensor}, {@code Tuple[Tensor, Tensor]}), or "". */
    static String returnType(Stmt.FunctionDef f) {
        return f.returns() == null ? "" : Printer.expression(f.returns());
    }

    /** The name of a method's first parameter (its self). */
    static String selfName(Stmt.FunctionDef f) {
        return f.params().isEmpty() ? "self" : f.params().get(0).name();
    }

    /** The text of a string literal without its quotes (TorchScript writes plain ASCII keys). */
    static String unquote(String literal) {
        if (literal.length() >= 2 && (literal.charAt(0) == '"' || literal.charAt(0) == '\'')) {
            return literal.substring(1, literal.length() - 1).replace("\\\"", "\"").replace("\\'", "'")
                    .replace("\\\\", "\\");
        }
        return literal;
    }

    @Override
    public String toString() {
        return qualifiedName;
    }
}
