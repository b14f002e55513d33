package org.explainj.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.explainj.model.script.Expr;
import org.explainj.model.script.Parser;
import org.explainj.model.script.Printer;
import org.explainj.model.script.Stmt;

/**
 * Adds to a copy of a TorchScript archive's code one entry method (see {@link TapProtocol}) that runs the model's
 * forward with taps. It works on the syntax tree of the serialized code: every method on the forward's call paths
 * gets a copy that threads the tap list, the selection, its module's pre-order number ({@link ModuleTree}) and the
 * ReLU and attention modes through its calls; module-level functions on those paths get copies too.
 * <ul>
 * <li>A call whose receiver is a submodule (a local alias, an attribute chain {@code self.a.b}, {@code getattr(x,
 * "0")}) calls the submodule's copy; at the returns of a module method that returns a tensor the copy cuts the
 * output when that module is selected (a leaf whose gradient is dY/dA, and a clone flows on) or records its
 * shape.</li>
 * <li>ReLU calls ({@code torch.relu}, {@code torch.relu_}, {@code x.relu()}, {@code x.relu_()}, functional relu with
 * its {@code inplace} argument) go through helpers that, in ReLU mode, record the input z and a leaf relu(z); the
 * in-place forms keep their in-place meaning (z itself holds the result afterwards).</li>
 * <li>{@code torch.softmax} calls record their output in attention mode (attention rollout).</li>
 * <li>PyTorch's attention fast path {@code torch._native_multi_head_attention}, which has no derivative, becomes
 * the same computation in differentiable operations.</li>
 * </ul>
 * The original methods are untouched, so the model's own {@code forward} stays what it was. Generated names start
 * with a prefix no identifier of the model uses ({@link ScriptCode#freePrefix()}).
 */
final class TapRewriter {

    /** Activation functions other than ReLU: ReLU rules leave them alone, so their presence is reported. */
    private static final Set<String> OTHER_ACTIVATIONS = Set.of("gelu", "silu", "elu", "elu_", "leaky_relu",
            "leaky_relu_", "hardtanh", "hardtanh_", "relu6", "hardswish", "hardswish_", "mish", "softplus", "selu",
            "celu", "prelu", "rrelu", "rrelu_", "hardsigmoid", "hardsigmoid_", "glu");
    private static final Set<String> FUNCTIONAL_RELU = Set.of("torch.nn.functional.relu",
            "__torch__.torch.nn.functional.relu");
    private static final Set<String> SOFTMAX = Set.of("torch.softmax", "torch._softmax", "torch.special.softmax");
    private static final String FAST_ATTENTION = "torch._native_multi_head_attention";

    /** What the rewrite produced. */
    record Result(Map<String, String> files, RewriteInfo info) {
    }

    private final ModuleTree tree;
    private final ScriptCode code;
    private final TapProtocol protocol;
    private final String helperModule;
    private final String helperFile;
    private final Map<String, List<Stmt>> classAdditions = new LinkedHashMap<>();
    private final Map<String, List<Stmt>> fileAdditions = new LinkedHashMap<>();
    private final Set<String> scheduled = new HashSet<>();
    private final Deque<Runnable> work = new ArrayDeque<>();
    private final Map<String, Boolean> needsCopy = new HashMap<>();
    private final Set<String> otherActivations = new TreeSet<>();
    private final Set<String> constructs = new TreeSet<>();
    private final Set<String> usedHelpers = new HashSet<>();
    private int reluSites;
    private int attentionSites;
    private int fastAttentionSites;
    private int unconditionalFastAttention;

    TapRewriter(ModuleTree tree) {
        this.tree = tree;
        this.code = tree.code();
        this.protocol = new TapProtocol(code.freePrefix());
        ScriptClass root = tree.rootClass();
        this.helperFile = root.file;
        this.helperModule = root.qualifiedName.substring(0, root.qualifiedName.lastIndexOf('.'));
    }

    /** Rewrites; a model the rewriter cannot prepare is a {@link ModelException} naming the construct. */
    Result rewrite() {
        ScriptClass root = tree.rootClass();
        Stmt.FunctionDef forward = root.methods.get("forward");
        if (forward == null) {
            throw unsupported("the root module " + root.simpleName + " has no forward method");
        }
        List<Stmt.Param> params = new ArrayList<>(forward.params());
        // Arguments after the image that have defaults (forward(self, x, scale: float=1.)) keep them.
        while (params.size() > 2 && params.get(params.size() - 1).defaultValue() != null) {
            params.remove(params.size() - 1);
        }
        if (params.size() != 2) {
            throw new ModelException("The model's forward takes " + (params.size() - 1) + " inputs ("
                    + String.join(", ", params.subList(1, params.size()).stream().map(q -> q.name()
                    + (q.annotation() == null ? "" : ": " + Printer.expression(q.annotation()))).toList())
                    + "); ExplainJ explains models with one image input. Wrap the model in a module whose forward "
                    + "takes a single tensor.");
        }
        refuseModuleInterfaces();
        OutputShape outputs = outputShape(forward);
        scheduleMethod(root, "forward", true);
        while (!work.isEmpty()) {
            work.pop().run();
        }
        Stmt.Param self = forward.params().get(0);
        String selfText = self.name() + (self.annotation() == null ? "" : ": " + Printer.expression(self.annotation()));
        String outputLines = protocol.outputLines(outputs.kind, outputs.size, outputs.fields);
        List<Stmt> rootMethods = classAdditions.computeIfAbsent(root.qualifiedName, k -> new ArrayList<>());
        rootMethods.add(0, protocol.entryMethod(selfText, params.get(1).name(), outputLines));
        if (outputs.kind == TapProtocol.OutputKind.NAMEDTUPLE) {
            rootMethods.add(1, protocol.plainMethod(selfText, params.get(1).name(), outputLines));
        }
        if (usedHelpers.contains("relu_dyn")) {
            usedHelpers.addAll(Set.of("relu", "relu_"));
        }
        if (usedHelpers.contains("mha")) {
            usedHelpers.add("attention");
        }
        for (Stmt h : protocol.helperFunctions(helperModule)) {
            if (usedHelpers.contains(((Stmt.FunctionDef) h).name().substring(protocol.prefix().length()))) {
                fileAdditions.computeIfAbsent(helperFile, k -> new ArrayList<>()).add(h);
            }
        }
        Map<String, String> files = write();
        RewriteInfo info = new RewriteInfo(true, null, protocol.entry(), reluSites, otherActivations, Set.of(),
                attentionSites, unconditionalFastAttention > 0, constructs, outputs.kind.name().toLowerCase(
                java.util.Locale.ROOT), outputs.names(), outputs.kind == TapProtocol.OutputKind.NAMEDTUPLE
                ? protocol.plain() : null);
        return new Result(files, info);
    }

    // ------------------------------------------------------------------ outputs

    private record OutputShape(TapProtocol.OutputKind kind, int size, List<String[]> fields) {
        OutputShape(TapProtocol.OutputKind kind, int size) {
            this(kind, size, List.of());
        }

        List<String> names() {
            List<String> n = new ArrayList<>();
            fields.forEach(f -> n.add(f[0]));
            return n;
        }
    }

    private OutputShape outputShape(Stmt.FunctionDef forward) {
        Expr r = forward.returns();
        String text = r == null ? "" : Printer.expression(r);
        if (text.equals("Tensor")) {
            return new OutputShape(TapProtocol.OutputKind.TENSOR, 1);
        }
        if (r instanceof Expr.Subscript s && s.value() instanceof Expr.Name n) {
            List<Expr> args = s.index() instanceof Expr.Tuple t ? t.elements() : List.of(s.index());
            List<String> types = args.stream().map(Printer::expression).toList();
            if (n.id().equals("Tuple") && types.stream().allMatch("Tensor"::equals)) {
                return new OutputShape(TapProtocol.OutputKind.TUPLE, types.size());
            }
            if (n.id().equals("List") && types.equals(List.of("Tensor"))) {
                return new OutputShape(TapProtocol.OutputKind.LIST, 0);
            }
            if (n.id().equals("Dict") && types.equals(List.of("str", "Tensor"))) {
                return new OutputShape(TapProtocol.OutputKind.DICT, 0);
            }
        }
        ScriptClass named = r == null ? null : tree.classes().get(text);
        if (named != null && named.base.equals("NamedTuple")) {
            List<String[]> fields = new ArrayList<>();
            for (Map.Entry<String, String> a : named.attributes.entrySet()) {
                if (a.getValue().equals("Tensor") || a.getValue().equals("Optional[Tensor]")) {
                    fields.add(new String[] {a.getKey(), a.getValue()});
                }
            }
            if (!fields.isEmpty()) {
                return new OutputShape(TapProtocol.OutputKind.NAMEDTUPLE, fields.size(), fields);
            }
        }
        throw new ModelException("The model's forward returns " + text + "; ExplainJ reads a tensor, or a tuple, "
                + "list or dict (str keys) of tensors. Wrap the model so that forward returns the scores (logits) "
                + "as one tensor.");
    }

    // ------------------------------------------------------------------ scheduling

    private static String copyName(TapProtocol p, String method, boolean tapped) {
        return p.name((tapped ? "t_" : "h_") + method);
    }

    private void scheduleMethod(ScriptClass cls, String method, boolean tapped) {
        String key = cls.qualifiedName + "#" + method + "#" + tapped;
        if (scheduled.add(key)) {
            work.push(() -> generateMethod(cls, method, tapped));
        }
    }

    private void scheduleFunction(ScriptCode.Function f) {
        if (scheduled.add("fn#" + f.qualifiedName())) {
            work.push(() -> generateFunction(f));
        }
    }

    private void generateMethod(ScriptClass cls, String methodName, boolean tapped) {
        Stmt.FunctionDef m = cls.methods.get(methodName);
        Context ctx = new Context(cls, ScriptClass.selfName(m), false, cls.simpleName + "." + methodName);
        boolean tapReturns = tapped && "Tensor".equals(ScriptClass.returnType(m));
        if (mutatesInPlace(m.body())) {
            // the forward may return an argument it modified in place: the cut must reach that tensor itself
            for (Stmt.Param p : m.params().subList(1, m.params().size())) {
                if (p.annotation() != null && Printer.expression(p.annotation()).equals("Tensor")) {
                    ctx.tensorParams.add(p.name());
                }
            }
        }
        List<Stmt> body = statements(m.body(), ctx, new HashMap<>(), tapReturns);
        List<Stmt.Param> params = new ArrayList<>();
        params.add(m.params().get(0));
        params.addAll(extraParams(protocol.methodParams()));
        params.addAll(m.params().subList(1, m.params().size()));
        Stmt.FunctionDef copy = new Stmt.FunctionDef(List.of(), copyName(protocol, methodName, tapped),
                reflow(params), m.returns(), body);
        classAdditions.computeIfAbsent(cls.qualifiedName, k -> new ArrayList<>()).add(copy);
    }

    private void generateFunction(ScriptCode.Function f) {
        Stmt.FunctionDef def = f.definition();
        Context ctx = new Context(null, null, false, "function " + def.name());
        List<Stmt> body = statements(def.body(), ctx, new HashMap<>(), false);
        List<Stmt.Param> params = new ArrayList<>(extraParams(protocol.functionParams()));
        params.addAll(def.params());
        Stmt.FunctionDef copy = new Stmt.FunctionDef(List.of(), protocol.name("f_" + def.name()), reflow(params),
                def.returns(), body);
        fileAdditions.computeIfAbsent(f.file(), k -> new ArrayList<>()).add(copy);
    }

    /** Functional forms that take an {@code inplace} argument (in their second position or by keyword). */
    private static final Set<String> INPLACE_FUNCTIONAL = Set.of("relu", "relu6", "hardtanh", "elu", "leaky_relu",
            "silu", "hardswish", "hardsigmoid", "dropout", "dropout2d", "dropout3d", "alpha_dropout", "celu", "selu",
            "rrelu", "mish", "threshold");

    /**
     * Whether statements may modify a tensor in place: an in-place operation ({@code torch.relu_}, {@code x.add_()})
     * or a functional form called with an {@code inplace} argument that is not the literal False. (Identity-like
     * modules such as Dropout in eval mode also return their argument, unchanged: their outputs are cut in a new
     * tensor.)
     */
    private static boolean mutatesInPlace(List<Stmt> body) {
        boolean[] found = {false};
        java.util.function.Consumer<Expr> visit = new java.util.function.Consumer<>() {
            @Override
            public void accept(Expr e) {
                if (found[0] || e == null) {
                    return;
                }
                if (e instanceof Expr.Call c) {
                    String name = c.func() instanceof Expr.Attribute a ? a.attr() : dottedName(c.func());
                    String last = name == null ? "" : name.substring(name.lastIndexOf('.') + 1);
                    if (last.endsWith("_") && !last.startsWith("__")) {
                        found[0] = true;
                        return;
                    }
                    if (INPLACE_FUNCTIONAL.contains(last)) {
                        Expr flag = c.keyword("inplace");
                        if (flag == null) {
                            for (int i = c.args().size() - 1; i >= 1 && flag == null; i--) {
                                Expr v = c.args().get(i).value();
                                String t = Printer.expression(v);
                                if (t.equals("True") || (!t.equals("False") && !(v instanceof Expr.Constant))) {
                                    flag = v;
                                }
                            }
                        }
                        if (flag != null && !Printer.expression(flag).equals("False")) {
                            found[0] = true;
                            return;
                        }
                    }
                    accept(c.func());
                    c.args().forEach(a -> accept(a.value()));
                } else if (e instanceof Expr.Attribute a) {
                    accept(a.value());
                } else if (e instanceof Expr.Subscript s) {
                    accept(s.value());
                    accept(s.index());
                } else if (e instanceof Expr.Tuple t) {
                    t.elements().forEach(this);
                } else if (e instanceof Expr.ListExpr l) {
                    l.elements().forEach(this);
                } else if (e instanceof Expr.Binary b) {
                    accept(b.left());
                    accept(b.right());
                } else if (e instanceof Expr.Unary u) {
                    accept(u.operand());
                } else if (e instanceof Expr.Paren p) {
                    accept(p.inner());
                } else if (e instanceof Expr.IfExp i) {
                    accept(i.body());
                    accept(i.test());
                    accept(i.orElse());
                }
            }
        };
        walkStatements(body, visit);
        return found[0];
    }

    private static void walkStatements(List<Stmt> body, java.util.function.Consumer<Expr> visit) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Assign a) {
                visit.accept(a.value());
            } else if (s instanceof Stmt.ExprStmt e) {
                visit.accept(e.value());
            } else if (s instanceof Stmt.Return r) {
                visit.accept(r.value());
            } else if (s instanceof Stmt.AugAssign a) {
                visit.accept(a.value());
            } else if (s instanceof Stmt.If i) {
                visit.accept(i.test());
                walkStatements(i.body(), visit);
                walkStatements(i.orElse(), visit);
            } else if (s instanceof Stmt.For f) {
                visit.accept(f.iter());
                walkStatements(f.body(), visit);
            } else if (s instanceof Stmt.While w) {
                visit.accept(w.test());
                walkStatements(w.body(), visit);
            } else if (s instanceof Stmt.With w) {
                walkStatements(w.body(), visit);
            }
        }
    }

    /** Parameters from {@code "a: T, b: U"}. */
    private static List<Stmt.Param> extraParams(String text) {
        Stmt.FunctionDef d = (Stmt.FunctionDef) Parser.parseFile("def f(" + text + ") -> None:\n  pass\n").get(0);
        return d.params();
    }

    /** Every parameter after the first on a line of its own, as torch writes headers. */
    private static List<Stmt.Param> reflow(List<Stmt.Param> params) {
        List<Stmt.Param> out = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Stmt.Param p = params.get(i);
            out.add(new Stmt.Param(p.name(), p.annotation(), p.defaultValue(), i == 0 ? -1 : 4));
        }
        return out;
    }

    /** Whether a self method (called as a helper) has anything to rewrite, directly or through its calls. */
    private boolean methodNeedsCopy(ScriptClass cls, String method) {
        String key = cls.qualifiedName + "#" + method;
        Boolean memo = needsCopy.get(key);
        if (memo != null) {
            return memo;
        }
        needsCopy.put(key, false); // recursion guard
        Stmt.FunctionDef m = cls.methods.get(method);
        Context dry = new Context(cls, ScriptClass.selfName(m), true, cls.simpleName + "." + method);
        statements(m.body(), dry, new HashMap<>(), false);
        needsCopy.put(key, dry.changed);
        return dry.changed;
    }

    private boolean functionNeedsCopy(ScriptCode.Function f) {
        String key = "fn#" + f.qualifiedName();
        Boolean memo = needsCopy.get(key);
        if (memo != null) {
            return memo;
        }
        needsCopy.put(key, false);
        Context dry = new Context(null, null, true, "function " + f.definition().name());
        statements(f.definition().body(), dry, new HashMap<>(), false);
        needsCopy.put(key, dry.changed);
        return dry.changed;
    }

    // ------------------------------------------------------------------ the transform

    /** Where a transform runs: the class and self of a method (null for a function), and whether it only looks. */
    private static final class Context {
        final ScriptClass cls;
        final String self;
        final boolean dry;
        final String where;
        final List<String> tensorParams = new ArrayList<>();
        boolean changed;
        /** Blocks (if, for, while) around the statement being transformed. */
        int nesting;

        Context(ScriptClass cls, String self, boolean dry, String where) {
            this.cls = cls;
            this.self = self;
            this.dry = dry;
            this.where = where;
        }
    }

    /** What a local name holds: a submodule (its path below the class) or a module-level function. */
    private record Binding(String module, String function) {
    }

    private List<Stmt> statements(List<Stmt> body, Context ctx, Map<String, Binding> env, boolean tapReturns) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Assign a) {
                Expr value = expr(a.value(), ctx, env);
                Binding b = binding(a.value(), ctx, env);
                for (Expr t : a.targets()) {
                    unbind(t, env);
                }
                if (a.targets().size() == 1 && a.targets().get(0) instanceof Expr.Name n && b != null) {
                    env.put(n.id(), b);
                }
                out.add(new Stmt.Assign(a.targets(), value));
            } else if (s instanceof Stmt.AnnAssign a) {
                Expr value = a.value() == null ? null : expr(a.value(), ctx, env);
                unbind(a.target(), env);
                out.add(new Stmt.AnnAssign(a.target(), a.annotation(), value, a.spaced()));
            } else if (s instanceof Stmt.AugAssign a) {
                Expr value = expr(a.value(), ctx, env);
                unbind(a.target(), env);
                out.add(new Stmt.AugAssign(a.target(), a.op(), value));
            } else if (s instanceof Stmt.ExprStmt e) {
                out.add(new Stmt.ExprStmt(expr(e.value(), ctx, env)));
            } else if (s instanceof Stmt.Return r) {
                Expr value = r.value() == null ? null : expr(r.value(), ctx, env);
                if (tapReturns && value != null) {
                    out.addAll(protocol.returnTap(Printer.expression(value), ctx.tensorParams));
                } else {
                    out.add(new Stmt.Return(value));
                }
            } else if (s instanceof Stmt.If i) {
                Expr test = expr(i.test(), ctx, env);
                Map<String, Binding> a = new HashMap<>(env);
                Map<String, Binding> b = new HashMap<>(env);
                ctx.nesting++;
                List<Stmt> body1 = statements(i.body(), ctx, a, tapReturns);
                List<Stmt> body2 = statements(i.orElse(), ctx, b, tapReturns);
                ctx.nesting--;
                env.clear();
                a.forEach((k, v) -> {
                    if (v.equals(b.get(k))) {
                        env.put(k, v);
                    }
                });
                out.add(new Stmt.If(test, body1, body2, i.elif()));
            } else if (s instanceof Stmt.For f) {
                Expr iter = expr(f.iter(), ctx, env);
                Map<String, Binding> inner = new HashMap<>(env);
                unbind(f.target(), inner);
                ctx.nesting++;
                List<Stmt> loop = statements(f.body(), ctx, inner, tapReturns);
                ctx.nesting--;
                env.keySet().removeIf(k -> !Objects.equals(env.get(k), inner.get(k)));
                out.add(new Stmt.For(f.target(), iter, loop));
            } else if (s instanceof Stmt.While w) {
                Expr test = expr(w.test(), ctx, env);
                Map<String, Binding> inner = new HashMap<>(env);
                ctx.nesting++;
                List<Stmt> loop = statements(w.body(), ctx, inner, tapReturns);
                ctx.nesting--;
                env.keySet().removeIf(k -> !Objects.equals(env.get(k), inner.get(k)));
                out.add(new Stmt.While(test, loop));
            } else if (s instanceof Stmt.With w) {
                List<Stmt.WithItem> items = new ArrayList<>();
                for (Stmt.WithItem it : w.items()) {
                    items.add(new Stmt.WithItem(expr(it.context(), ctx, env), it.var()));
                }
                out.add(new Stmt.With(items, statements(w.body(), ctx, env, tapReturns)));
            } else if (s instanceof Stmt.Raise r) {
                out.add(new Stmt.Raise(r.value() == null ? null : expr(r.value(), ctx, env)));
            } else if (s instanceof Stmt.Assert a) {
                out.add(new Stmt.Assert(expr(a.test(), ctx, env), a.message() == null ? null
                        : expr(a.message(), ctx, env)));
            } else {
                out.add(s); // pass, break, continue, del, import
            }
        }
        return out;
    }

    private static void unbind(Expr target, Map<String, Binding> env) {
        if (target instanceof Expr.Name n) {
            env.remove(n.id());
        } else if (target instanceof Expr.Tuple t) {
            t.elements().forEach(e -> unbind(e, env));
        } else if (target instanceof Expr.Paren p) {
            unbind(p.inner(), env);
        }
    }

    /** What an assigned value is, when it is a submodule or a module-level function. */
    private Binding binding(Expr value, Context ctx, Map<String, Binding> env) {
        String path = modulePath(value, ctx, env);
        if (path != null && !path.isEmpty()) {
            return new Binding(path, null);
        }
        String dotted = dottedName(value);
        if (dotted != null && (code.functions().containsKey(dotted) || FUNCTIONAL_RELU.contains(dotted))) {
            return new Binding(null, dotted);
        }
        if (value instanceof Expr.Name n && env.containsKey(n.id())) {
            return env.get(n.id());
        }
        return null;
    }

    private static String dottedName(Expr e) {
        if (e instanceof Expr.Paren p) {
            return dottedName(p.inner());
        }
        if (e instanceof Expr.Name n) {
            return n.id();
        }
        if (e instanceof Expr.Attribute a) {
            String left = dottedName(a.value());
            return left == null ? null : left + "." + a.attr();
        }
        return null;
    }

    /**
     * The path below the current class of the submodule an expression denotes ({@code ""} for self), or null:
     * self, a local alias, {@code x.attr} and {@code getattr(x, "attr")} chains, in parentheses or not.
     */
    private String modulePath(Expr e, Context ctx, Map<String, Binding> env) {
        if (ctx.cls == null) {
            return null;
        }
        if (e instanceof Expr.Paren p) {
            return modulePath(p.inner(), ctx, env);
        }
        if (e instanceof Expr.Name n) {
            if (n.id().equals(ctx.self)) {
                return "";
            }
            Binding b = env.get(n.id());
            return b == null ? null : b.module();
        }
        String base = null;
        String attr = null;
        if (e instanceof Expr.Attribute a) {
            base = modulePath(a.value(), ctx, env);
            attr = a.attr();
        } else if (e instanceof Expr.Call c && "getattr".equals(dottedName(c.func())) && c.args().size() == 2
                && c.positional(1) instanceof Expr.Constant k && k.text().startsWith("\"")) {
            base = modulePath(c.positional(0), ctx, env);
            attr = ScriptClass.unquote(k.text());
        }
        if (base == null) {
            return null;
        }
        String path = base.isEmpty() ? attr : base + "." + attr;
        return resolve(ctx.cls, path) != null ? path : null;
    }

    /** The class of the submodule at a dotted path below {@code cls}, or null. */
    private ScriptClass resolve(ScriptClass cls, String path) {
        ScriptClass c = cls;
        for (String step : path.split("\\.")) {
            c = tree.submodules(c).get(step);
            if (c == null) {
                return null;
            }
        }
        return c;
    }

    /** The pre-order offset of the submodule at a dotted path below {@code cls}. */
    private int offset(ScriptClass cls, String path) {
        ScriptClass c = cls;
        int off = 0;
        for (String step : path.split("\\.")) {
            off += tree.offset(c, step);
            c = tree.submodules(c).get(step);
        }
        return off;
    }

    private List<Expr.Arg> args(List<Expr.Arg> args, Context ctx, Map<String, Binding> env) {
        List<Expr.Arg> out = new ArrayList<>();
        for (Expr.Arg a : args) {
            out.add(new Expr.Arg(a.keyword(), a.star(), expr(a.value(), ctx, env)));
        }
        return out;
    }

    private static List<Expr.Arg> prepend(String protocolArgs, List<Expr.Arg> args) {
        List<Expr.Arg> out = new ArrayList<>();
        for (String a : protocolArgs.split(", ")) {
            out.add(Expr.Arg.of(Parser.parseExpression(a)));
        }
        out.addAll(args);
        return out;
    }

    private Expr helper(String name) {
        usedHelpers.add(name);
        return ofDotted(helperModule + "." + protocol.name(name));
    }

    private static Expr ofDotted(String dotted) {
        String[] parts = dotted.split("\\.");
        Expr e = new Expr.Name(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            e = new Expr.Attribute(e, parts[i]);
        }
        return e;
    }

    private Expr expr(Expr e, Context ctx, Map<String, Binding> env) {
        if (e instanceof Expr.Call c) {
            return call(c, ctx, env);
        }
        if (e instanceof Expr.Attribute a) {
            return new Expr.Attribute(expr(a.value(), ctx, env), a.attr());
        }
        if (e instanceof Expr.Subscript s) {
            return new Expr.Subscript(expr(s.value(), ctx, env), expr(s.index(), ctx, env));
        }
        if (e instanceof Expr.Slice s) {
            return new Expr.Slice(s.lower() == null ? null : expr(s.lower(), ctx, env),
                    s.upper() == null ? null : expr(s.upper(), ctx, env),
                    s.step() == null ? null : expr(s.step(), ctx, env), s.stepColon());
        }
        if (e instanceof Expr.Tuple t) {
            return new Expr.Tuple(exprs(t.elements(), ctx, env), t.parenthesized(), t.trailing());
        }
        if (e instanceof Expr.ListExpr l) {
            return new Expr.ListExpr(exprs(l.elements(), ctx, env), l.trailing());
        }
        if (e instanceof Expr.DictExpr d) {
            return new Expr.DictExpr(exprs(d.keys(), ctx, env), exprs(d.values(), ctx, env), d.trailing());
        }
        if (e instanceof Expr.Unary u) {
            return new Expr.Unary(u.op(), expr(u.operand(), ctx, env));
        }
        if (e instanceof Expr.Binary b) {
            return new Expr.Binary(b.op(), expr(b.left(), ctx, env), expr(b.right(), ctx, env));
        }
        if (e instanceof Expr.IfExp i) {
            return new Expr.IfExp(expr(i.body(), ctx, env), expr(i.test(), ctx, env), expr(i.orElse(), ctx, env));
        }
        if (e instanceof Expr.Paren p) {
            return new Expr.Paren(expr(p.inner(), ctx, env));
        }
        if (e instanceof Expr.Starred s) {
            return new Expr.Starred(expr(s.value(), ctx, env));
        }
        return e; // names and constants
    }

    private List<Expr> exprs(List<Expr> es, Context ctx, Map<String, Binding> env) {
        List<Expr> out = new ArrayList<>();
        for (Expr x : es) {
            out.add(expr(x, ctx, env));
        }
        return out;
    }

    private Expr call(Expr.Call c, Context ctx, Map<String, Binding> env) {
        // a method called on a submodule, on self, or on a tensor (x.relu_())
        if (c.func() instanceof Expr.Attribute fa) {
            String path = modulePath(fa.value(), ctx, env);
            String method = fa.attr();
            if (path != null) {
                ScriptClass target = path.isEmpty() ? ctx.cls : resolve(ctx.cls, path);
                if (target == null || !target.methods.containsKey(method)) {
                    return new Expr.Call(c.func(), args(c.args(), ctx, env), c.trailing());
                }
                if (path.isEmpty()) {
                    if (!methodNeedsCopy(ctx.cls, method)) {
                        return new Expr.Call(c.func(), args(c.args(), ctx, env), c.trailing());
                    }
                    ctx.changed = true;
                    if (!ctx.dry) {
                        scheduleMethod(ctx.cls, method, false);
                    }
                    return new Expr.Call(new Expr.Attribute(fa.value(), copyName(protocol, method, false)),
                            prepend(protocol.methodArgs(protocol.name("id")), args(c.args(), ctx, env)), "");
                }
                // a module's output is what its forward returns (forward1, ... for traced modules called again,
                // forward__0, ... for overloaded scripted forwards); other methods called on it are followed
                // without a cut at their returns
                boolean tapped = ScriptClass.isForward(method);
                ctx.changed = true;
                if (!ctx.dry) {
                    scheduleMethod(target, method, tapped);
                }
                String id = protocol.name("id") + " + " + offset(ctx.cls, path);
                return new Expr.Call(new Expr.Attribute(fa.value(), copyName(protocol, method, tapped)),
                        prepend(protocol.methodArgs(id), args(c.args(), ctx, env)), "");
            }
            if ((method.equals("relu") || method.equals("relu_")) && c.args().isEmpty()) {
                return relu(expr(fa.value(), ctx, env), method.equals("relu_") ? "relu_" : "relu", null, ctx);
            }
            if (method.equals("softmax")) {
                return attention(new Expr.Call(new Expr.Attribute(expr(fa.value(), ctx, env), method),
                        args(c.args(), ctx, env), c.trailing()), ctx);
            }
        }
        String name = dottedName(c.func());
        Binding bound = c.func() instanceof Expr.Name n ? env.get(n.id()) : null;
        String function = bound != null && bound.function() != null ? bound.function() : name;
        if (function != null) {
            if (function.equals("torch.relu") || function.equals("torch.relu_")) {
                return relu(expr(c.positional(0), ctx, env), function.substring("torch.".length()), null, ctx);
            }
            if (function.equals("torch.nn.functional.relu_")) {
                return relu(expr(c.positional(0), ctx, env), "relu_", null, ctx);
            }
            if (SOFTMAX.contains(function)) {
                return attention(new Expr.Call(c.func(), args(c.args(), ctx, env), c.trailing()), ctx);
            }
            if (function.equals(FAST_ATTENTION)) {
                return fastAttention(c, ctx, env);
            }
            String last = function.substring(function.lastIndexOf('.') + 1);
            if (OTHER_ACTIVATIONS.contains(last) && (function.startsWith("torch.")
                    || function.startsWith("__torch__.torch.nn.functional."))) {
                otherActivations.add(last.replace("_", "") + " in " + where(ctx));
            }
            ScriptCode.Function f = code.functions().get(function);
            if (f != null && functionNeedsCopy(f)) {
                ctx.changed = true;
                if (!ctx.dry) {
                    scheduleFunction(f);
                }
                return new Expr.Call(ofDotted(f.module() + "." + protocol.name("f_" + f.definition().name())),
                        prepend(protocol.functionArgs(), args(c.args(), ctx, env)), "");
            }
            if (f == null && FUNCTIONAL_RELU.contains(function)) {
                Expr inplace = c.keyword("inplace") != null ? c.keyword("inplace") : c.positional(1);
                return relu(expr(c.positional(0), ctx, env), "relu", inplace, ctx);
            }
        }
        return new Expr.Call(expr(c.func(), ctx, env), args(c.args(), ctx, env), c.trailing());
    }

    private static String where(Context ctx) {
        String w = ctx.where;
        int dot = w.indexOf('.');
        return w.startsWith("function ") || dot < 0 ? w : w.substring(0, dot);
    }

    /** A ReLU call site; {@code inplace} null for the fixed forms, else the functional form's argument. */
    private Expr relu(Expr z, String form, Expr inplace, Context ctx) {
        ctx.changed = true;
        if (!ctx.dry) {
            reluSites++;
        }
        List<Expr.Arg> a = new ArrayList<>(prepend(protocol.name("taps") + ", " + protocol.name("mode"), List.of()));
        a.add(Expr.Arg.of(z));
        if (inplace == null) {
            return new Expr.Call(helper(form), a, "");
        }
        String literal = Printer.expression(inplace);
        if (literal.equals("True") || literal.equals("False")) {
            return new Expr.Call(helper(literal.equals("True") ? "relu_" : "relu"), a, "");
        }
        if (!ctx.dry) {
            constructs.add("functional relu with a run-time inplace argument in " + where(ctx));
        }
        a.add(Expr.Arg.of(inplace));
        return new Expr.Call(helper("relu_dyn"), a, "");
    }

    private Expr attention(Expr.Call softmax, Context ctx) {
        ctx.changed = true;
        if (!ctx.dry) {
            attentionSites++;
        }
        List<Expr.Arg> a = new ArrayList<>(prepend(protocol.name("taps") + ", " + protocol.name("attn"), List.of()));
        a.add(Expr.Arg.of(softmax));
        return new Expr.Call(helper("attention"), a, "");
    }

    /**
     * {@code torch._native_multi_head_attention(q, k, v, embed_dim, heads, qkv_w, qkv_b, proj_w, proj_b, mask,
     * need_weights, average_weights, mask_type)} (recorded when a model is traced under no_grad): the same
     * computation in differentiable operations (attention mask or key padding mask included).
     */
    private Expr fastAttention(Expr.Call c, Context ctx, Map<String, Binding> env) {
        List<Expr> pos = new ArrayList<>();
        for (Expr.Arg a : c.args()) {
            if (a.keyword() != null || !a.star().isEmpty()) {
                throw unsupported("the attention fast path in " + where(ctx) + " is called with keyword arguments");
            }
            pos.add(a.value());
        }
        if (pos.size() < 9) {
            throw unsupported("the attention fast path in " + where(ctx) + " has " + pos.size() + " arguments");
        }
        ctx.changed = true;
        if (!ctx.dry && ctx.nesting == 0) {
            // unconditional (traced under no_grad): the model's own forward has no derivative; a scripted
            // MultiheadAttention takes the fast path only when no gradient is needed
            unconditionalFastAttention++;
        }
        if (!ctx.dry) {
            fastAttentionSites++;
            constructs.add("attention fast path (aten::_native_multi_head_attention) in " + where(ctx)
                    + ", replaced by differentiable operations");
        }
        List<Expr.Arg> a = new ArrayList<>(prepend(protocol.name("taps") + ", " + protocol.name("attn"), List.of()));
        for (int i = 0; i < 9; i++) {
            a.add(Expr.Arg.of(expr(pos.get(i), ctx, env)));
        }
        // mask, need_weights, average_attn_weights, mask_type (defaults None, True, True, None)
        a.add(Expr.Arg.of(pos.size() > 9 ? expr(pos.get(9), ctx, env) : new Expr.Name("None")));
        a.add(Expr.Arg.of(pos.size() > 10 ? expr(pos.get(10), ctx, env) : new Expr.Name("True")));
        a.add(Expr.Arg.of(pos.size() > 11 ? expr(pos.get(11), ctx, env) : new Expr.Name("True")));
        a.add(Expr.Arg.of(pos.size() > 12 ? expr(pos.get(12), ctx, env) : new Expr.Name("None")));
        return new Expr.Call(helper("mha"), a, "");
    }

    // ------------------------------------------------------------------ checks and output

    /**
     * Refuses models that hold or pass a submodule through a {@code torch.jit.interface} type: the code names only
     * the interface, so the module behind it (its layers and ReLUs) cannot be followed.
     */
    private void refuseModuleInterfaces() {
        Set<String> seen = new HashSet<>();
        for (ModuleTree.Node n : tree.nodes()) {
            ScriptClass cls = tree.classes().get(n.typeName());
            if (cls == null || !seen.add(cls.qualifiedName)) {
                continue;
            }
            for (Map.Entry<String, String> a : cls.attributes.entrySet()) {
                String iface = moduleInterfaceIn(a.getValue());
                if (iface != null) {
                    throw unsupported("the submodule " + (n.path().isEmpty() ? "" : n.path() + ".") + a.getKey()
                            + " is declared with the module interface type " + iface + " (torch.jit.interface), "
                            + "which hides the module's layers");
                }
            }
            for (Stmt.FunctionDef m : cls.methods.values()) {
                for (Stmt.Param p : m.params()) {
                    String iface = p.annotation() == null ? null : moduleInterfaceIn(Printer.expression(p.annotation()));
                    if (iface != null) {
                        throw unsupported("the method " + cls.simpleName + "." + m.name() + " takes a submodule as "
                                + "an argument (" + p.name() + ": " + iface + ", a torch.jit.interface type), which "
                                + "hides which layers it calls");
                    }
                }
            }
        }
    }

    /** The simple name of a module interface named in a type, or null. */
    private String moduleInterfaceIn(String type) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("__torch__(?:\\.\\w+)+").matcher(type);
        while (m.find()) {
            ScriptClass c = tree.classes().get(m.group());
            if (c != null && "ModuleInterface".equals(c.base)) {
                return c.simpleName;
            }
        }
        return null;
    }

    /**
     * The changed code files: each one printed from its syntax tree with the generated methods at the end of their
     * classes and the generated functions at the end of the file. A file the printer would not give back unchanged
     * is refused rather than written.
     */
    private Map<String, String> write() {
        Set<String> changed = new java.util.LinkedHashSet<>(fileAdditions.keySet());
        for (String cls : classAdditions.keySet()) {
            changed.add(tree.classes().get(cls).file);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String file : changed) {
            List<Stmt> statements = code.file(file);
            if (!Printer.file(statements).equals(code.text(file))) {
                throw unsupported("the code file " + file.substring(file.indexOf("/code/") + 6) + " is written in a "
                        + "form the code printer does not reproduce exactly");
            }
            String module = null;
            List<Stmt> rewritten = new ArrayList<>();
            for (Stmt s : statements) {
                if (s instanceof Stmt.ClassDef c) {
                    ScriptClass sc = findClass(file, c.name());
                    List<Stmt> extra = sc == null ? null : classAdditions.get(sc.qualifiedName);
                    if (extra != null) {
                        List<Stmt> body = new ArrayList<>(c.body());
                        body.addAll(extra);
                        rewritten.add(new Stmt.ClassDef(c.name(), c.bases(), body));
                        continue;
                    }
                }
                rewritten.add(s);
            }
            rewritten.addAll(fileAdditions.getOrDefault(file, List.of()));
            out.put(file, Printer.file(rewritten));
        }
        return out;
    }

    private ScriptClass findClass(String file, String simpleName) {
        for (ScriptClass c : tree.classes().values()) {
            if (c.file.equals(file) && c.simpleName.equals(simpleName)) {
                return c;
            }
        }
        return null;
    }

    static ModelException unsupported(String construct) {
        return new ModelException("ExplainJ cannot prepare this model for layer methods: " + construct
                + ". Saliency still works; for layer methods export a model with a plain forward, or "
                + "a prepared model (see the README).");
    }
}
