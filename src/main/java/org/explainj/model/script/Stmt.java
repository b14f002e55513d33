package org.explainj.model.script;

import java.util.List;

/** A statement of serialized TorchScript (also the class and function definitions of a file). */
public sealed interface Stmt {

    /** {@code t1 = t2 = value}; a target list {@code a, b, = f()} is an unparenthesized {@link Expr.Tuple}. */
    record Assign(List<Expr> targets, Expr value) implements Stmt {
        public Assign {
            targets = List.copyOf(targets);
        }
    }

    /**
     * {@code target : annotation [= value]}: TorchScript writes class attribute declarations with a space before the
     * colon ({@code spaced}) and annotated local assignments without.
     */
    record AnnAssign(Expr target, Expr annotation, Expr value, boolean spaced) implements Stmt {
    }

    /** {@code target op= value}. */
    record AugAssign(Expr target, String op, Expr value) implements Stmt {
    }

    /** An expression on its own. */
    record ExprStmt(Expr value) implements Stmt {
    }

    /** {@code return [value]}. */
    record Return(Expr value) implements Stmt {
    }

    /** {@code pass}, {@code break} or {@code continue}. */
    record Keyword(String word) implements Stmt {
    }

    /** {@code raise [value]}. */
    record Raise(Expr value) implements Stmt {
    }

    /** {@code assert test[, message]}. */
    record Assert(Expr test, Expr message) implements Stmt {
    }

    /** {@code del a, b}. */
    record Del(List<Expr> targets) implements Stmt {
        public Del {
            targets = List.copyOf(targets);
        }
    }

    /** {@code import ...} or {@code from ... import ...}, kept as its words. */
    record Import(String text) implements Stmt {
    }

    /** {@code if}; {@code elif} is an {@code If} that is the only statement of {@code orElse}, marked. */
    record If(Expr test, List<Stmt> body, List<Stmt> orElse, boolean elif) implements Stmt {
        public If {
            body = List.copyOf(body);
            orElse = List.copyOf(orElse);
        }
    }

    /** {@code for target in iter:}. */
    record For(Expr target, Expr iter, List<Stmt> body) implements Stmt {
        public For {
            body = List.copyOf(body);
        }
    }

    /** {@code while test:}. */
    record While(Expr test, List<Stmt> body) implements Stmt {
        public While {
            body = List.copyOf(body);
        }
    }

    /** {@code with item [as var], ...:}. */
    record With(List<WithItem> items, List<Stmt> body) implements Stmt {
        public With {
            items = List.copyOf(items);
            body = List.copyOf(body);
        }
    }

    /** One item of a {@code with}. */
    record WithItem(Expr context, Expr var) {
    }

    /** A parameter: {@code name[: annotation][=default]}; {@code column} is its column when on a line of its own. */
    record Param(String name, Expr annotation, Expr defaultValue, int column) {
    }

    /** {@code def name(params) -> returns:} with its body. */
    record FunctionDef(List<Expr> decorators, String name, List<Param> params, Expr returns, List<Stmt> body)
            implements Stmt {
        public FunctionDef {
            decorators = List.copyOf(decorators);
            params = List.copyOf(params);
            body = List.copyOf(body);
        }
    }

    /** {@code class Name(bases):} with its body. */
    record ClassDef(String name, List<Expr> bases, List<Stmt> body) implements Stmt {
        public ClassDef {
            bases = List.copyOf(bases);
            body = List.copyOf(body);
        }
    }
}
