package org.explainj.model.script;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for the Python subset that TorchScript's serializer writes (python_print): classes with
 * attribute declarations, functions with typed parameters, assignments, if/for/while/with blocks, returns, and
 * expressions with Python's precedence. Anything else is a {@link ScriptSyntaxException} naming the place.
 */
public final class Parser {

    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", ">", "<=", ">=", "in", "is");
    private static final Set<String> AUGMENTED = Set.of("+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=",
            "^=", "<<=", ">>=", "@=");

    private final List<Token> tokens;
    private final String[] lines;
    private int p;

    private Parser(String src) {
        this.tokens = Lexer.tokenize(src);
        this.lines = src.split("\n", -1);
    }

    /** Parses a whole code file into its top-level statements (classes, functions, others). */
    public static List<Stmt> parseFile(String src) {
        Parser parser = new Parser(src);
        List<Stmt> out = new ArrayList<>();
        while (!parser.at(Token.Kind.END)) {
            out.add(parser.statement());
        }
        return out;
    }

    /** Parses one expression (for tests and for code the rewriter writes). */
    public static Expr parseExpression(String src) {
        Parser parser = new Parser(src);
        Expr e = parser.exprList();
        parser.expect(Token.Kind.NEWLINE);
        parser.expect(Token.Kind.END);
        return e;
    }

    // ---------------------------------------------------------------- statements

    private Stmt statement() {
        Token t = peek();
        if (t.is("@") || t.is("def")) {
            return functionDef();
        }
        if (t.is("class")) {
            return classDef();
        }
        if (t.is("if")) {
            return ifStatement();
        }
        if (t.is("for")) {
            next();
            Expr target = targetList();
            expectOp("in");
            Expr iter = exprList();
            return new Stmt.For(target, iter, suite());
        }
        if (t.is("while")) {
            next();
            Expr test = expression();
            return new Stmt.While(test, suite());
        }
        if (t.is("with")) {
            next();
            List<Stmt.WithItem> items = new ArrayList<>();
            do {
                Expr ctx = expression();
                Expr var = null;
                if (peek().is("as")) {
                    next();
                    var = targetList();
                }
                items.add(new Stmt.WithItem(ctx, var));
            } while (acceptOp(","));
            return new Stmt.With(items, suite());
        }
        Stmt s = simpleStatement();
        expect(Token.Kind.NEWLINE);
        return s;
    }

    private Stmt simpleStatement() {
        Token t = peek();
        if (t.kind() == Token.Kind.NAME) {
            switch (t.text()) {
                case "pass", "break", "continue" -> {
                    next();
                    return new Stmt.Keyword(t.text());
                }
                case "return" -> {
                    next();
                    return new Stmt.Return(at(Token.Kind.NEWLINE) ? null : exprList());
                }
                case "raise" -> {
                    next();
                    return new Stmt.Raise(at(Token.Kind.NEWLINE) ? null : expression());
                }
                case "assert" -> {
                    next();
                    Expr test = expression();
                    Expr msg = acceptOp(",") ? expression() : null;
                    return new Stmt.Assert(test, msg);
                }
                case "del" -> {
                    next();
                    List<Expr> targets = new ArrayList<>();
                    do {
                        targets.add(expression());
                    } while (acceptOp(","));
                    return new Stmt.Del(targets);
                }
                case "import", "from" -> {
                    StringBuilder sb = new StringBuilder();
                    Token prev = null;
                    while (!at(Token.Kind.NEWLINE)) {
                        Token w = next();
                        boolean glue = prev != null && (w.is(".") || prev.is(".") || w.is(","));
                        if (prev != null && !glue) {
                            sb.append(' ');
                        }
                        sb.append(w.text());
                        prev = w;
                    }
                    return new Stmt.Import(sb.toString());
                }
                default -> {
                    // an expression statement or an assignment
                }
            }
        }
        Expr first = exprList();
        if (peek().is(":")) {
            Token before = tokens.get(p - 1);
            Token colon = next();
            boolean spaced = colon.line() != before.line() || colon.column() > before.column() + before.text().length();
            Expr annotation = expression();
            Expr value = acceptOp("=") ? exprList() : null;
            return new Stmt.AnnAssign(first, annotation, value, spaced);
        }
        if (peek().kind() == Token.Kind.OP && AUGMENTED.contains(peek().text())) {
            String op = next().text();
            return new Stmt.AugAssign(first, op, exprList());
        }
        if (!peek().is("=")) {
            return new Stmt.ExprStmt(first);
        }
        List<Expr> targets = new ArrayList<>();
        Expr value = first;
        while (acceptOp("=")) {
            targets.add(value);
            value = exprList();
        }
        return new Stmt.Assign(targets, value);
    }

    private Stmt ifStatement() {
        next(); // if / elif
        Expr test = expression();
        List<Stmt> body = suite();
        List<Stmt> orElse = List.of();
        boolean elif = false;
        if (peek().is("elif")) {
            orElse = List.of(ifStatement());
            elif = true;
        } else if (peek().is("else")) {
            next();
            orElse = suite();
        }
        return new Stmt.If(test, body, orElse, elif);
    }

    private List<Stmt> suite() {
        expectOp(":");
        if (!at(Token.Kind.NEWLINE)) { // a one-line body: if x: pass
            List<Stmt> one = new ArrayList<>();
            one.add(simpleStatement());
            expect(Token.Kind.NEWLINE);
            return one;
        }
        expect(Token.Kind.NEWLINE);
        expect(Token.Kind.INDENT);
        List<Stmt> body = new ArrayList<>();
        while (!at(Token.Kind.DEDENT) && !at(Token.Kind.END)) {
            body.add(statement());
        }
        expect(Token.Kind.DEDENT);
        return body;
    }

    private Stmt functionDef() {
        List<Expr> decorators = new ArrayList<>();
        while (acceptOp("@")) {
            decorators.add(expression());
            expect(Token.Kind.NEWLINE);
        }
        expectOp("def");
        String name = expect(Token.Kind.NAME).text();
        expectOp("(");
        List<Stmt.Param> params = new ArrayList<>();
        while (!peek().is(")")) {
            Token pn = peek();
            String star = "";
            if (pn.is("*") || pn.is("**")) {
                star = next().text();
            }
            Token nameTok = expect(Token.Kind.NAME);
            Expr annotation = acceptOp(":") ? expression() : null;
            Expr def = acceptOp("=") ? expression() : null;
            params.add(new Stmt.Param(star + nameTok.text(), annotation, def, pn.newlineBefore() ? pn.column() : -1));
            if (!acceptOp(",")) {
                break;
            }
        }
        expectOp(")");
        Expr returns = acceptOp("->") ? expression() : null;
        return new Stmt.FunctionDef(decorators, name, params, returns, suite());
    }

    private Stmt classDef() {
        expectOp("class");
        String name = expect(Token.Kind.NAME).text();
        List<Expr> bases = new ArrayList<>();
        if (acceptOp("(")) {
            while (!peek().is(")")) {
                bases.add(expression());
                if (!acceptOp(",")) {
                    break;
                }
            }
            expectOp(")");
        }
        return new Stmt.ClassDef(name, bases, suite());
    }

    // ---------------------------------------------------------------- expressions

    /** A comma-separated list; more than one element (or a trailing comma) gives an unparenthesized tuple. */
    private Expr exprList() {
        return bareTuple(this::starOrExpression, Parser::endsList, false);
    }

    /** Assignment and loop targets: like {@link #exprList()} but stops before {@code in}. */
    private Expr targetList() {
        return bareTuple(this::orExpr, t -> t.is("in") || endsList(t), false);
    }

    /**
     * Items separated by commas without brackets: the item alone, or a tuple of them (with the trailing comma kept,
     * and its following space when {@code spaced}).
     */
    private Expr bareTuple(java.util.function.Supplier<Expr> item, java.util.function.Predicate<Token> ends,
                           boolean spaced) {
        Expr first = item.get();
        if (!peek().is(",")) {
            return first;
        }
        List<Expr> elements = new ArrayList<>();
        elements.add(first);
        String trailing = "";
        while (peek().is(",")) {
            Token comma = next();
            if (ends.test(peek())) {
                trailing = spaced ? trailingAfter(comma) : ",";
                break;
            }
            elements.add(item.get());
        }
        return new Expr.Tuple(elements, false, trailing);
    }

    private static boolean endsList(Token t) {
        return t.kind() == Token.Kind.NEWLINE || t.is("=") || t.is(")") || t.is("]") || t.is("}") || t.is(":")
                || t.kind() == Token.Kind.END;
    }

    private Expr starOrExpression() {
        if (acceptOp("*")) {
            return new Expr.Starred(orExpr());
        }
        return expression();
    }

    private Expr expression() {
        Expr body = orTest();
        if (peek().is("if")) {
            next();
            Expr test = orTest();
            expectOp("else");
            Expr orElse = expression();
            return new Expr.IfExp(body, test, orElse);
        }
        return body;
    }

    private Expr orTest() {
        return chain("or", this::andTest);
    }

    private Expr andTest() {
        return chain("and", this::notTest);
    }

    /** {@code operand (op operand)*}, left-associative. */
    private Expr chain(String op, java.util.function.Supplier<Expr> operand) {
        Expr left = operand.get();
        while (peek().is(op)) {
            next();
            left = new Expr.Binary(op, left, operand.get());
        }
        return left;
    }

    private Expr notTest() {
        if (peek().is("not")) {
            next();
            return new Expr.Unary("not", notTest());
        }
        return comparison();
    }

    private Expr comparison() {
        Expr left = orExpr();
        while (true) {
            Token t = peek();
            String op;
            if (t.is("not") && peekAt(1).is("in")) {
                next();
                next();
                op = "not in";
            } else if (t.is("is")) {
                next();
                op = acceptOp("not") ? "is not" : "is";
            } else if ((t.kind() == Token.Kind.OP || t.is("in")) && COMPARISONS.contains(t.text())) {
                next();
                op = t.text();
            } else {
                return left;
            }
            left = new Expr.Binary(op, left, orExpr());
        }
    }

    private Expr orExpr() {
        return binary(0);
    }

    private static final String[][] LEVELS = {{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"},
        {"*", "/", "//", "%", "@"}};

    private Expr binary(int level) {
        if (level == LEVELS.length) {
            return factor();
        }
        Expr left = binary(level + 1);
        while (true) {
            Token t = peek();
            String op = null;
            if (t.kind() == Token.Kind.OP) {
                for (String o : LEVELS[level]) {
                    if (t.text().equals(o)) {
                        op = o;
                    }
                }
            }
            if (op == null) {
                return left;
            }
            next();
            left = new Expr.Binary(op, left, binary(level + 1));
        }
    }

    private Expr factor() {
        Token t = peek();
        if (t.is("-") || t.is("+") || t.is("~")) {
            next();
            return new Expr.Unary(t.text(), factor());
        }
        Expr base = primary();
        if (peek().is("**")) {
            next();
            return new Expr.Binary("**", base, factor());
        }
        return base;
    }

    private Expr primary() {
        Expr e = atom();
        while (true) {
            if (peek().is(".")) {
                next();
                e = new Expr.Attribute(e, expect(Token.Kind.NAME).text());
            } else if (peek().is("(")) {
                next();
                List<Expr.Arg> args = new ArrayList<>();
                String trailing = items(")", () -> args.add(argument()));
                e = new Expr.Call(e, args, trailing);
            } else if (peek().is("[")) {
                next();
                e = new Expr.Subscript(e, subscriptList());
                expectOp("]");
            } else {
                return e;
            }
        }
    }

    private Expr.Arg argument() {
        if (peek().is("*") || peek().is("**")) {
            String star = next().text();
            return new Expr.Arg(null, star, expression());
        }
        if (peek().kind() == Token.Kind.NAME && peekAt(1).is("=")) {
            String kw = next().text();
            next();
            return new Expr.Arg(kw, "", expression());
        }
        return Expr.Arg.of(expression());
    }

    private Expr subscriptList() {
        return bareTuple(this::subscriptItem, t -> t.is("]"), true);
    }

    private Expr subscriptItem() {
        Expr lower = null;
        if (!peek().is(":")) {
            lower = expression();
            if (!peek().is(":")) {
                return lower;
            }
        }
        expectOp(":");
        Expr upper = peek().is(":") || peek().is(",") || peek().is("]") ? null : expression();
        boolean stepColon = false;
        Expr step = null;
        if (acceptOp(":")) {
            stepColon = true;
            step = peek().is(",") || peek().is("]") ? null : expression();
        }
        return new Expr.Slice(lower, upper, step, stepColon);
    }

    private Expr atom() {
        Token t = next();
        switch (t.kind()) {
            case NAME:
                return new Expr.Name(t.text());
            case NUMBER:
                return new Expr.Constant(t.text());
            case STRING: {
                StringBuilder s = new StringBuilder(t.text());
                while (peek().kind() == Token.Kind.STRING) {
                    s.append(' ').append(next().text());
                }
                return new Expr.Constant(s.toString());
            }
            case OP:
                break;
            default:
                throw error("expected an expression, found " + t, t);
        }
        switch (t.text()) {
            case "(": {
                if (acceptOp(")")) {
                    return new Expr.Tuple(List.of(), true, "");
                }
                Expr first = starOrExpression();
                if (acceptOp(")")) {
                    return new Expr.Paren(first);
                }
                List<Expr> elements = new ArrayList<>();
                elements.add(first);
                String trailing = "";
                while (peek().is(",")) {
                    Token comma = next();
                    if (peek().is(")")) {
                        trailing = trailingAfter(comma);
                        break;
                    }
                    elements.add(starOrExpression());
                }
                expectOp(")");
                return new Expr.Tuple(elements, true, trailing);
            }
            case "[": {
                List<Expr> elements = new ArrayList<>();
                String trailing = items("]", () -> elements.add(starOrExpression()));
                return new Expr.ListExpr(elements, trailing);
            }
            case "{": {
                List<Expr> keys = new ArrayList<>();
                List<Expr> values = new ArrayList<>();
                String trailing = items("}", () -> {
                    keys.add(expression());
                    expectOp(":");
                    values.add(expression());
                });
                return new Expr.DictExpr(keys, values, trailing);
            }
            case "...":
                return new Expr.Constant("...");
            default:
                throw error("expected an expression, found " + t, t);
        }
    }

    // ---------------------------------------------------------------- tokens

    /**
     * Items separated by commas up to and including {@code close}; returns what follows the last item: {@code ""},
     * {@code ","} or {@code ", "}.
     */
    private String items(String close, Runnable item) {
        String trailing = "";
        while (!peek().is(close)) {
            item.run();
            if (!peek().is(",")) {
                break;
            }
            Token comma = next();
            if (peek().is(close)) {
                trailing = trailingAfter(comma);
            }
        }
        expectOp(close);
        return trailing;
    }

    /** What stands between a trailing comma and the closing bracket: {@code ","} or {@code ", "}. */
    private String trailingAfter(Token comma) {
        return peek().column() > comma.column() + 1 || peek().line() != comma.line() ? ", " : ",";
    }

    private Token peek() {
        return tokens.get(p);
    }

    private Token peekAt(int ahead) {
        return tokens.get(Math.min(p + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(p);
        if (t.kind() != Token.Kind.END) {
            p++;
        }
        return t;
    }

    private boolean at(Token.Kind kind) {
        return peek().kind() == kind;
    }

    private boolean acceptOp(String op) {
        if (peek().is(op)) {
            next();
            return true;
        }
        return false;
    }

    private void expectOp(String op) {
        Token t = next();
        if (!t.is(op)) {
            throw error("expected \"" + op + "\", found " + t, t);
        }
    }

    private Token expect(Token.Kind kind) {
        Token t = next();
        if (t.kind() != kind) {
            throw error("expected " + kind.name().toLowerCase(java.util.Locale.ROOT) + ", found " + t, t);
        }
        return t;
    }

    private ScriptSyntaxException error(String message, Token at) {
        return new ScriptSyntaxException(message, at.line(), at.column(),
                at.line() - 1 < lines.length ? lines[at.line() - 1] : null);
    }
}
