package org.explainj.model.script;

import java.util.List;

/** An expression of serialized TorchScript. Records are immutable; a transform builds new ones. */
public sealed interface Expr {

    /** A variable, {@code None}, {@code True}, {@code False} or a name at the start of a dotted path. */
    record Name(String id) implements Expr {
    }

    /** A number or string literal as written (adjacent string literals kept together). */
    record Constant(String text) implements Expr {
    }

    /** {@code value.attr}. */
    record Attribute(Expr value, String attr) implements Expr {
    }

    /**
     * A call. {@code trailing} is what follows the last argument: {@code ""}, {@code ","} or {@code ", "}
     * (TorchScript writes {@code f(x, )} for calls of script methods and functions).
     */
    record Call(Expr func, List<Arg> args, String trailing) implements Expr {
        public Call {
            args = List.copyOf(args);
        }

        /** The positional argument at {@code index}, or null. */
        public Expr positional(int index) {
            int i = 0;
            for (Arg a : args) {
                if (a.keyword() == null && a.star().isEmpty()) {
                    if (i++ == index) {
                        return a.value();
                    }
                }
            }
            return null;
        }

        /** The keyword argument {@code name}, or null. */
        public Expr keyword(String name) {
            for (Arg a : args) {
                if (name.equals(a.keyword())) {
                    return a.value();
                }
            }
            return null;
        }
    }

    /** A call argument: positional, {@code keyword=value}, {@code *value} or {@code **value}. */
    record Arg(String keyword, String star, Expr value) {
        public static Arg of(Expr value) {
            return new Arg(null, "", value);
        }
    }

    /** {@code value[index]}; a multi-dimensional index is an unparenthesized {@link Tuple}. */
    record Subscript(Expr value, Expr index) implements Expr {
    }

    /** {@code lower:upper:step} inside a subscript; absent parts are null. */
    record Slice(Expr lower, Expr upper, Expr step, boolean stepColon) implements Expr {
    }

    /** A tuple, with or without parentheses; {@code trailing} as in {@link Call}. */
    record Tuple(List<Expr> elements, boolean parenthesized, String trailing) implements Expr {
        public Tuple {
            elements = List.copyOf(elements);
        }
    }

    /** {@code [a, b]}. */
    record ListExpr(List<Expr> elements, String trailing) implements Expr {
        public ListExpr {
            elements = List.copyOf(elements);
        }
    }

    /** {@code {k: v}}. */
    record DictExpr(List<Expr> keys, List<Expr> values, String trailing) implements Expr {
        public DictExpr {
            keys = List.copyOf(keys);
            values = List.copyOf(values);
        }
    }

    /** {@code -x}, {@code +x}, {@code ~x}, {@code not x}. */
    record Unary(String op, Expr operand) implements Expr {
    }

    /** A binary operation, comparison ({@code is not}, {@code not in} included) or {@code and}/{@code or}. */
    record Binary(String op, Expr left, Expr right) implements Expr {
    }

    /** {@code body if test else orElse}. */
    record IfExp(Expr body, Expr test, Expr orElse) implements Expr {
    }

    /** Parentheses around an expression, kept so that printing gives back the source. */
    record Paren(Expr inner) implements Expr {
    }

    /** {@code *value} inside a list or tuple. */
    record Starred(Expr value) implements Expr {
    }

    /** The dotted name of an expression made of names and attributes ({@code torch.nn.functional.relu}), or null. */
    static String dotted(Expr e) {
        if (e instanceof Name n) {
            return n.id();
        }
        if (e instanceof Attribute a) {
            String left = dotted(a.value());
            return left == null ? null : left + "." + a.attr();
        }
        return null;
    }

    /** Builds {@code a.b.c} from a dotted name. */
    static Expr ofDotted(String dotted) {
        String[] parts = dotted.split("\\.");
        Expr e = new Name(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            e = new Attribute(e, parts[i]);
        }
        return e;
    }
}
