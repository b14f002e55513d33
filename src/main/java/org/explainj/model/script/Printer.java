package org.explainj.model.script;

import java.util.List;

/**
 * Writes statements and expressions back as serialized TorchScript, in the layout torch's own printer uses (two
 * spaces per block, one space around binary operators, {@code ", "} between items). Printing what {@link Parser}
 * read gives the source back unchanged (tested on every code file of the test models).
 */
public final class Printer {

    private static final String UNIT = "  ";

    private final StringBuilder out = new StringBuilder();

    private Printer() {
    }

    /** A whole file: its top-level statements, one per line, ending with a newline. */
    public static String file(List<Stmt> statements) {
        Printer p = new Printer();
        for (Stmt s : statements) {
            p.statement(s, "");
        }
        return p.out.toString();
    }

    /** Statements at the given indentation (e.g. {@code "  "} for the methods of a class). */
    public static String statements(List<Stmt> statements, String indent) {
        Printer p = new Printer();
        for (Stmt s : statements) {
            p.statement(s, indent);
        }
        return p.out.toString();
    }

    /** One expression. */
    public static String expression(Expr e) {
        Printer p = new Printer();
        p.expr(e);
        return p.out.toString();
    }

    private void line(String indent, String text) {
        out.append(indent).append(text).append('\n');
    }

    private void statement(Stmt s, String indent) {
        if (s instanceof Stmt.Assign a) {
            StringBuilder sb = new StringBuilder();
            for (Expr t : a.targets()) {
                sb.append(expression(t)).append(" = ");
            }
            line(indent, sb + expression(a.value()));
        } else if (s instanceof Stmt.AnnAssign a) {
            line(indent, expression(a.target()) + (a.spaced() ? " : " : ": ") + expression(a.annotation())
                    + (a.value() == null ? "" : " = " + expression(a.value())));
        } else if (s instanceof Stmt.AugAssign a) {
            line(indent, expression(a.target()) + " " + a.op() + " " + expression(a.value()));
        } else if (s instanceof Stmt.ExprStmt e) {
            line(indent, expression(e.value()));
        } else if (s instanceof Stmt.Return r) {
            line(indent, r.value() == null ? "return" : "return " + expression(r.value()));
        } else if (s instanceof Stmt.Keyword k) {
            line(indent, k.word());
        } else if (s instanceof Stmt.Raise r) {
            line(indent, r.value() == null ? "raise" : "raise " + expression(r.value()));
        } else if (s instanceof Stmt.Assert a) {
            line(indent, "assert " + expression(a.test()) + (a.message() == null ? "" : ", " + expression(a.message())));
        } else if (s instanceof Stmt.Del d) {
            line(indent, "del " + join(d.targets()));
        } else if (s instanceof Stmt.Import i) {
            line(indent, i.text());
        } else if (s instanceof Stmt.If i) {
            ifStatement(i, indent, "if ");
        } else if (s instanceof Stmt.For f) {
            line(indent, "for " + expression(f.target()) + " in " + expression(f.iter()) + ":");
            block(f.body(), indent + UNIT);
        } else if (s instanceof Stmt.While w) {
            line(indent, "while " + expression(w.test()) + ":");
            block(w.body(), indent + UNIT);
        } else if (s instanceof Stmt.With w) {
            StringBuilder sb = new StringBuilder("with ");
            for (int i = 0; i < w.items().size(); i++) {
                Stmt.WithItem item = w.items().get(i);
                sb.append(i == 0 ? "" : ", ").append(expression(item.context()));
                if (item.var() != null) {
                    sb.append(" as ").append(expression(item.var()));
                }
            }
            line(indent, sb + ":");
            block(w.body(), indent + UNIT);
        } else if (s instanceof Stmt.FunctionDef f) {
            functionDef(f, indent);
        } else if (s instanceof Stmt.ClassDef c) {
            line(indent, "class " + c.name() + (c.bases().isEmpty() ? "" : "(" + join(c.bases()) + ")") + ":");
            block(c.body(), indent + UNIT);
        } else {
            throw new IllegalArgumentException("no printer for " + s);
        }
    }

    private void ifStatement(Stmt.If i, String indent, String keyword) {
        line(indent, keyword + expression(i.test()) + ":");
        block(i.body(), indent + UNIT);
        if (i.elif()) {
            ifStatement((Stmt.If) i.orElse().get(0), indent, "elif ");
        } else if (!i.orElse().isEmpty()) {
            line(indent, "else:");
            block(i.orElse(), indent + UNIT);
        }
    }

    private void block(List<Stmt> body, String indent) {
        for (Stmt s : body) {
            statement(s, indent);
        }
    }

    private void functionDef(Stmt.FunctionDef f, String indent) {
        for (Expr d : f.decorators()) {
            line(indent, "@" + expression(d));
        }
        StringBuilder sb = new StringBuilder("def ").append(f.name()).append('(');
        for (int i = 0; i < f.params().size(); i++) {
            Stmt.Param p = f.params().get(i);
            if (i > 0) {
                sb.append(p.column() >= 0 ? ",\n" + " ".repeat(p.column()) : ", ");
            }
            sb.append(p.name());
            if (p.annotation() != null) {
                sb.append(": ").append(expression(p.annotation()));
            }
            if (p.defaultValue() != null) {
                sb.append('=').append(expression(p.defaultValue()));
            }
        }
        sb.append(')');
        if (f.returns() != null) {
            sb.append(" -> ").append(expression(f.returns()));
        }
        line(indent, sb + ":");
        block(f.body(), indent + UNIT);
    }

    private String join(List<Expr> items) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(expression(items.get(i)));
        }
        return sb.toString();
    }

    private void expr(Expr e) {
        if (e instanceof Expr.Name n) {
            out.append(n.id());
        } else if (e instanceof Expr.Constant c) {
            out.append(c.text());
        } else if (e instanceof Expr.Attribute a) {
            expr(a.value());
            out.append('.').append(a.attr());
        } else if (e instanceof Expr.Call c) {
            expr(c.func());
            out.append('(');
            for (int i = 0; i < c.args().size(); i++) {
                Expr.Arg a = c.args().get(i);
                out.append(i == 0 ? "" : ", ");
                if (a.keyword() != null) {
                    out.append(a.keyword()).append('=');
                }
                out.append(a.star());
                expr(a.value());
            }
            out.append(c.trailing()).append(')');
        } else if (e instanceof Expr.Subscript s) {
            expr(s.value());
            out.append('[');
            expr(s.index());
            out.append(']');
        } else if (e instanceof Expr.Slice s) {
            if (s.lower() != null) {
                expr(s.lower());
            }
            out.append(':');
            if (s.upper() != null) {
                expr(s.upper());
            }
            if (s.stepColon()) {
                out.append(':');
                if (s.step() != null) {
                    expr(s.step());
                }
            }
        } else if (e instanceof Expr.Tuple t) {
            out.append(t.parenthesized() ? "(" : "").append(join(t.elements())).append(t.trailing())
                    .append(t.parenthesized() ? ")" : "");
        } else if (e instanceof Expr.ListExpr l) {
            out.append('[').append(join(l.elements())).append(l.trailing()).append(']');
        } else if (e instanceof Expr.DictExpr d) {
            out.append('{');
            for (int i = 0; i < d.keys().size(); i++) {
                out.append(i == 0 ? "" : ", ");
                expr(d.keys().get(i));
                out.append(": ");
                expr(d.values().get(i));
            }
            out.append(d.trailing()).append('}');
        } else if (e instanceof Expr.Unary u) {
            out.append(u.op()).append(u.op().equals("not") ? " " : "");
            expr(u.operand());
        } else if (e instanceof Expr.Binary b) {
            expr(b.left());
            out.append(' ').append(b.op()).append(' ');
            expr(b.right());
        } else if (e instanceof Expr.IfExp i) {
            expr(i.body());
            out.append(" if ");
            expr(i.test());
            out.append(" else ");
            expr(i.orElse());
        } else if (e instanceof Expr.Paren p) {
            out.append('(');
            expr(p.inner());
            out.append(')');
        } else if (e instanceof Expr.Starred s) {
            out.append('*');
            expr(s.value());
        } else {
            throw new IllegalArgumentException("no printer for " + e);
        }
    }
}
