package org.explainj.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds to a copy of a TorchScript archive one entry method, {@value #ENTRY}{@code (x, ctl) -> List[Tensor]}, that
 * runs the model's forward and returns {@code [output, taps...]}. {@code ctl = [layer, relu_mode]}:
 * <ul>
 * <li>{@code layer} = the pre-order number of a module ({@link ModuleTree}); every output of that module becomes a
 * leaf tensor (detached, requires grad) that is appended to the taps, and a clone of it flows on. After a backward
 * from the output, the leaf's gradient is dY/dA. No gradient is spent below the cut. {@code -1} taps nothing.</li>
 * <li>{@code relu_mode = 1}: every ReLU call appends its input z and a leaf t = relu(z), so that a caller can
 * back-propagate segment by segment with its own ReLU rule.</li>
 * </ul>
 * The original methods are untouched: each class on a call path gets copies ({@code ej_<method>}) that thread the
 * tap list, the selection and the module number through the calls. Skip connections and concatenations are
 * untouched because nothing is split.
 */
final class TapRewriter {

    static final String ENTRY = "ej_explain";
    /** Selection value that makes every module append {@code [id, *output.shape]} (the layer catalogue). */
    static final int SHAPES = -2;
    /** Activation functions other than ReLU, as serialized; their presence makes ReLU rules ill-defined. */
    private static final Pattern OTHER_ACTIVATION = Pattern.compile(
            "\\b(?:torch\\.(?:nn\\.functional\\.)?|__torch__\\.torch\\.nn\\.functional\\.)"
            + "(gelu|silu|elu|leaky_relu_?|hardtanh_?|relu6|hardswish_?|mish|softplus|selu|celu|prelu|rrelu_?|"
            + "hardsigmoid_?)\\(");
    private static final String EXTRA_PARAMS = "ej_taps: List[Tensor], ej_sel: int, ej_id: int, ej_relu: int";

    private final ModuleTree tree;
    private final Map<String, ScriptClass> classes;
    private final Map<String, List<String>> added = new LinkedHashMap<>();
    private final Set<String> generated = new HashSet<>();
    private final Deque<String[]> work = new ArrayDeque<>();
    private final Map<String, Boolean> needsCopyMemo = new HashMap<>();
    private final Set<String> reluHelperAdded = new HashSet<>();
    private int reluSites;
    private final Set<String> otherActivations = new java.util.TreeSet<>();
    /** Module-level TorchScript functions: qualified name ({@code __torch__.helper}) to their source. */
    private final Map<String, String> freeFunctions = new HashMap<>();
    private final Set<String> unreachedRelus = new java.util.TreeSet<>();

    TapRewriter(ModuleTree tree) {
        this.tree = tree;
        this.classes = tree.classes();
    }

    /** Returns the replaced code entries. */
    Map<String, String> rewrite(TorchScriptArchive archive) {
        ScriptClass root = tree.rootClass();
        ScriptClass.Method forward = root.methods.get("forward");
        if (forward == null) {
            throw unsupported("the root module " + root.simpleName + " has no forward method");
        }
        List<String> params = SourceText.splitTopLevel(forward.params());
        // Arguments after the image that have defaults (forward(self, x, scale: float=1.)) keep them.
        while (params.size() > 2 && params.get(params.size() - 1).contains("=")) {
            params.remove(params.size() - 1);
        }
        if (params.size() != 2) {
            throw new ModelException("The model's forward takes " + (params.size() - 1) + " inputs ("
                    + forward.params().replaceAll("\\s+", " ") + "); ExplainJ explains models with one image "
                    + "input. Wrap the model in a module whose forward takes a single tensor.");
        }
        if (!"Tensor".equals(forward.returnType())) {
            throw new ModelException("The model's forward returns " + forward.returnType() + ", not a single "
                    + "tensor. Wrap the model so that forward returns the class scores (logits) as one tensor.");
        }
        refuseModuleInterfaces();
        readFreeFunctions(archive);
        String x = params.get(1).split(":")[0].trim();
        String self = forward.selfName();
        List<String> entry = new ArrayList<>();
        entry.add("  def " + ENTRY + "(" + self + ": " + root.qualifiedName + ",");
        entry.add("    " + x + ": Tensor, ej_ctl: Tensor) -> List[Tensor]:");
        entry.add("    ej_taps = annotate(List[Tensor], [])");
        entry.add("    ej_sel = int(ej_ctl[0])");
        entry.add("    ej_relu = int(ej_ctl[1])");
        entry.add("    ej_y = (" + self + ").ej_forward(ej_taps, ej_sel, 0, ej_relu, " + x + ")");
        entry.add("    return [ej_y] + ej_taps");
        added.computeIfAbsent(root.qualifiedName, k -> new ArrayList<>()).addAll(entry);
        schedule(root, "forward", true);
        while (!work.isEmpty()) {
            String[] item = work.pop();
            generate(classes.get(item[0]), item[1], Boolean.parseBoolean(item[2]));
        }
        return insert(archive);
    }

    private void schedule(ScriptClass cls, String method, boolean entryVariant) {
        String key = cls.qualifiedName + "#" + method + "#" + entryVariant;
        if (generated.add(key)) {
            if (!cls.methods.containsKey(method)) {
                throw unsupported("the class " + cls.simpleName + " has no method " + method);
            }
            work.push(new String[] {cls.qualifiedName, method, Boolean.toString(entryVariant)});
        }
    }

    private static String copyName(String method, boolean entryVariant) {
        return (entryVariant ? "ej_" : "ejh_") + method;
    }

    /** Generates the copy of one method: calls to submodules and ReLUs rewritten, taps at its returns. */
    private void generate(ScriptClass cls, String methodName, boolean entryVariant) {
        ScriptClass.Method m = cls.methods.get(methodName);
        Map<String, String> aliases = new HashMap<>();
        Set<String> reluAliases = new HashSet<>();
        List<String> out = new ArrayList<>();
        String params = m.params();
        int firstComma = SourceText.indexOfTopLevelComma(params);
        String selfParam = firstComma < 0 ? params : params.substring(0, firstComma);
        String restParams = firstComma < 0 ? "" : params.substring(firstComma + 1).trim();
        out.add("  def " + copyName(methodName, entryVariant) + "(" + selfParam.trim() + ", " + EXTRA_PARAMS
                + (restParams.isEmpty() ? "" : ",\n    " + restParams) + ") -> "
                + (m.returnType().isEmpty() ? "NoneType" : m.returnType()) + ":");
        boolean tapReturns = entryVariant && "Tensor".equals(m.returnType());
        for (String line : m.body()) {
            int indent = 0;
            while (indent < line.length() && line.charAt(indent) == ' ') {
                indent++;
            }
            String pad = line.substring(0, indent);
            String stmt = line.substring(indent);
            recordAlias(cls, m.selfName(), stmt, aliases, reluAliases);
            Matcher act = OTHER_ACTIVATION.matcher(stmt);
            while (act.find()) {
                otherActivations.add(act.group(1).replace("_", "") + " in " + cls.simpleName);
            }
            Matcher fn = FREE_FUNCTION_REF.matcher(stmt);
            while (fn.find()) {
                if (callsRelu(fn.group(), new HashSet<>())) {
                    unreachedRelus.add("relu in function " + fn.group().substring(fn.group().lastIndexOf('.') + 1)
                            + " (called from " + cls.simpleName + ")");
                }
            }
            String rewritten = transform(cls, m.selfName(), stmt, aliases, reluAliases);
            if (tapReturns && rewritten.startsWith("return ")) {
                out.add(pad + "ej_out = " + rewritten.substring("return ".length()));
                out.add(pad + "if ej_sel == ej_id:");
                out.add(pad + "  ej_leaf = ej_out.detach().requires_grad_()");
                // with ReLU stages too, the cut is one more stage: [id marker, value before the cut, leaf]
                out.add(pad + "  if ej_relu == 1:");
                out.add(pad + "    ej_taps.append(torch.tensor([ej_id]))");
                out.add(pad + "    ej_taps.append(ej_out)");
                out.add(pad + "  else:");
                out.add(pad + "    pass");
                out.add(pad + "  ej_taps.append(ej_leaf)");
                out.add(pad + "  ej_out = torch.clone(ej_leaf)");
                out.add(pad + "else:");
                out.add(pad + "  if ej_sel == " + SHAPES + ":");
                out.add(pad + "    ej_taps.append(torch.tensor([ej_id] + ej_out.size()))");
                out.add(pad + "  else:");
                out.add(pad + "    pass");
                out.add(pad + "return ej_out");
            } else {
                out.add(pad + rewritten);
            }
        }
        added.computeIfAbsent(cls.qualifiedName, k -> new ArrayList<>()).addAll(out);
    }

    private static final Pattern ALIAS_ATTR = Pattern.compile("^(\\w+) = (\\w+)\\.(\\w+)$");
    private static final Pattern ALIAS_GETATTR = Pattern.compile("^(\\w+) = getattr\\((\\w+), \"([^\"]+)\"\\)$");
    private static final Pattern ALIAS_RELU =
            Pattern.compile("^(\\w+) = (?:__torch__\\.)?torch\\.nn\\.functional\\.relu_?$");

    private void recordAlias(ScriptClass cls, String self, String stmt, Map<String, String> aliases,
                             Set<String> reluAliases) {
        Matcher a = ALIAS_ATTR.matcher(stmt);
        Matcher g = ALIAS_GETATTR.matcher(stmt);
        String local = null;
        String path = null;
        if (a.matches()) {
            local = a.group(1);
            path = submodulePath(cls, self, a.group(2), a.group(3), aliases);
        } else if (g.matches()) {
            local = g.group(1);
            path = submodulePath(cls, self, g.group(2), g.group(3), aliases);
        }
        if (local != null) {
            if (path != null) {
                aliases.put(local, path);
            } else {
                aliases.remove(local);
            }
        } else {
            Matcher r = ALIAS_RELU.matcher(stmt);
            if (r.matches()) {
                reluAliases.add(r.group(1));
            }
        }
    }

    /**
     * The dotted path below {@code cls} of {@code owner.attr} when {@code owner} is self or a local alias of a
     * submodule (e.g. {@code blocks = self.blocks; _0 = getattr(blocks, "0")} for an nn.ModuleList, or
     * {@code stem = stages.stem} for an nn.ModuleDict) and the result is a submodule; else null.
     */
    private String submodulePath(ScriptClass cls, String self, String owner, String attr, Map<String, String> aliases) {
        String prefix;
        if (owner.equals(self)) {
            prefix = "";
        } else if (aliases.containsKey(owner)) {
            prefix = aliases.get(owner) + ".";
        } else {
            return null;
        }
        return resolve(cls, prefix + attr) != null ? prefix + attr : null;
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

    // (recv).method(   where recv = local | self.attr | getattr(self, "attr")
    private static final Pattern CALL = Pattern.compile(
            "\\((?:(\\w+)|(\\w+)\\.(\\w+)|getattr\\((\\w+), \"([^\"]+)\"\\))\\)\\.(\\w+)\\(");
    private static final Pattern RELU_CALL = Pattern.compile(
            "(?:__torch__\\.)?torch\\.(?:nn\\.functional\\.)?relu_?\\(");
    private static final Pattern NAME_CALL = Pattern.compile("(\\w+)\\(");

    /** Rewrites the calls in one statement (recursively inside their arguments). */
    String transform(ScriptClass cls, String self, String s, Map<String, String> aliases, Set<String> reluAliases) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                int end = SourceText.endOfString(s, i);
                out.append(s, i, end);
                i = end;
                continue;
            }
            boolean boundary = i == 0 || !(Character.isLetterOrDigit(s.charAt(i - 1)) || s.charAt(i - 1) == '_'
                    || s.charAt(i - 1) == '.');
            if (c == '(') {
                Matcher cm = CALL.matcher(s).region(i, s.length());
                if (cm.lookingAt()) {
                    String replaced = rewriteCall(cls, self, s, cm, aliases, reluAliases);
                    if (replaced != null) {
                        out.append(replaced);
                        i = SourceText.matchingParen(s, cm.end() - 1) + 1;
                        continue;
                    }
                }
            }
            if (boundary) {
                Matcher rm = RELU_CALL.matcher(s).region(i, s.length());
                Matcher nm = NAME_CALL.matcher(s).region(i, s.length());
                boolean relu = rm.lookingAt();
                int open = relu ? rm.end() - 1 : -1;
                if (!relu && nm.lookingAt() && reluAliases.contains(nm.group(1))) {
                    relu = true;
                    open = nm.end() - 1;
                }
                if (relu) {
                    reluSites++;
                    int close = SourceText.matchingParen(s, open);
                    List<String> args = SourceText.splitTopLevel(s.substring(open + 1, close));
                    String z = transform(cls, self, args.get(0).trim(), aliases, reluAliases);
                    addReluHelper(cls);
                    out.append("(").append(self).append(").ej_relu_site(ej_taps, ej_relu, ").append(z).append(")");
                    i = close + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private String rewriteCall(ScriptClass cls, String self, String s, Matcher cm, Map<String, String> aliases,
                              Set<String> reluAliases) {
        String method = cm.group(6);
        String receiverText = s.substring(cm.start(), cm.start(6) - 1);
        String child = null;
        boolean selfCall = false;
        if (cm.group(1) != null) {
            if (cm.group(1).equals(self)) {
                selfCall = true;
            } else {
                child = aliases.get(cm.group(1));
            }
        } else if (cm.group(2) != null) {
            child = submodulePath(cls, self, cm.group(2), cm.group(3), aliases);
        } else if (cm.group(4) != null) {
            child = submodulePath(cls, self, cm.group(4), cm.group(5), aliases);
        }
        if (child == null && !selfCall) {
            return null;
        }
        int open = cm.end() - 1;
        int close = SourceText.matchingParen(s, open);
        if (close < 0) {
            throw unsupported("an unbalanced call in " + cls.simpleName + ": " + s);
        }
        String args = transform(cls, self, s.substring(open + 1, close), aliases, reluAliases).trim();
        if (args.endsWith(",")) {
            args = args.substring(0, args.length() - 1).trim();
        }
        String id;
        ScriptClass target;
        if (selfCall) {
            if (!cls.methods.containsKey(method) || !needsCopy(cls, method)) {
                return null;
            }
            target = cls;
            id = "ej_id";
        } else {
            target = resolve(cls, child);
            id = "ej_id + " + offset(cls, child);
        }
        schedule(target, method, !selfCall);
        return receiverText + "." + copyName(method, !selfCall) + "(ej_taps, ej_sel, " + id + ", ej_relu"
                + (args.isEmpty() ? "" : ", " + args) + ")";
    }

    private static final Pattern FREE_FUNCTION_REF = Pattern.compile("__torch__(?:\\.\\w+)+");
    private static final Pattern FREE_DEF = Pattern.compile("^def (\\w+)\\(");
    private static final Pattern RELU_REF =
            Pattern.compile("(?:__torch__\\.)?torch\\.(?:nn\\.functional\\.)?relu_?\\b");
    private static final Set<String> RELU_FUNCTIONS = Set.of("__torch__.torch.nn.functional.relu",
            "__torch__.torch.nn.functional.relu_");

    /** Collects the module-level functions of the archive's code (the rewriter does not copy them). */
    private void readFreeFunctions(TorchScriptArchive archive) {
        String prefix = archive.root() + "/code/";
        for (Map.Entry<String, String> e : archive.codeFiles().entrySet()) {
            String module = e.getKey().substring(prefix.length(), e.getKey().length() - ".py".length())
                    .replace('/', '.');
            String name = null;
            StringBuilder body = new StringBuilder();
            for (String line : (e.getValue() + "\n<end>").split("\n", -1)) {
                if (line.isEmpty() || line.startsWith(" ")) {
                    if (name != null) {
                        body.append(line).append('\n');
                    }
                    continue;
                }
                if (name != null) {
                    freeFunctions.put(module + "." + name, body.toString());
                    name = null;
                }
                Matcher d = FREE_DEF.matcher(line);
                if (d.find()) {
                    name = d.group(1);
                    body.setLength(0);
                }
            }
        }
    }

    /**
     * Whether a module-level function calls a ReLU, directly or through other functions. Such a ReLU is not
     * rewritten (functions get no tap list), so ReLU rules cannot be applied to it.
     */
    private boolean callsRelu(String function, Set<String> seen) {
        String body = freeFunctions.get(function);
        if (body == null || RELU_FUNCTIONS.contains(function) || !seen.add(function)) {
            return false;
        }
        if (RELU_REF.matcher(body).find()) {
            return true;
        }
        Matcher m = FREE_FUNCTION_REF.matcher(body);
        while (m.find()) {
            if (callsRelu(m.group(), seen)) {
                return true;
            }
        }
        return false;
    }

    /** ReLU calls on the forward's call paths that the rewriter cannot reach, e.g. {@code relu in function f}. */
    Set<String> unreachedRelus() {
        return unreachedRelus;
    }

    /**
     * Refuses models that hold or pass a submodule through a {@code torch.jit.interface} type: the code names only
     * the interface, so the module behind it (its layers and ReLUs) cannot be followed.
     */
    private void refuseModuleInterfaces() {
        Set<String> seen = new HashSet<>();
        for (ModuleTree.Node n : tree.nodes()) {
            ScriptClass cls = classes.get(n.typeName());
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
            for (ScriptClass.Method m : cls.methods.values()) {
                for (String p : SourceText.splitTopLevel(m.params())) {
                    String iface = moduleInterfaceIn(p.contains(":") ? p.substring(p.indexOf(':') + 1) : "");
                    if (iface != null) {
                        throw unsupported("the method " + cls.simpleName + "." + m.name() + " takes a submodule as "
                                + "an argument (" + p.trim().replaceAll("__torch__\\.(?:\\w+\\.)*", "")
                                + ", a torch.jit.interface type), which hides which layers it calls");
                    }
                }
            }
        }
    }

    /** The simple name of a module interface named in a type, or null. */
    private String moduleInterfaceIn(String type) {
        Matcher m = FREE_FUNCTION_REF.matcher(type);
        while (m.find()) {
            ScriptClass c = classes.get(m.group());
            if (c != null && "ModuleInterface".equals(c.base)) {
                return c.simpleName;
            }
        }
        return null;
    }

    /** Number of ReLU call sites rewritten (calls in a method used several times count once). */
    int reluSites() {
        return reluSites;
    }

    /** Non-ReLU activations met on the forward's call paths, e.g. {@code gelu in Block}. */
    Set<String> otherActivations() {
        return otherActivations;
    }

    /** Whether a helper method (called on self) calls submodules or ReLUs, directly or through other helpers. */
    private boolean needsCopy(ScriptClass cls, String method) {
        String key = cls.qualifiedName + "#" + method;
        Boolean memo = needsCopyMemo.get(key);
        if (memo != null) {
            return memo;
        }
        needsCopyMemo.put(key, false); // recursion guard
        boolean needs = false;
        ScriptClass.Method m = cls.methods.get(method);
        for (String line : m.body()) {
            String stmt = line.trim();
            Matcher a = ALIAS_ATTR.matcher(stmt);
            Matcher g = ALIAS_GETATTR.matcher(stmt);
            if ((a.matches() && tree.submodules(cls).containsKey(a.group(3)))
                    || (g.matches() && tree.submodules(cls).containsKey(g.group(3)))) {
                needs = true;
            }
            if (ALIAS_RELU.matcher(stmt).matches() || RELU_CALL.matcher(stmt).find()) {
                needs = true;
            }
            Matcher fn = FREE_FUNCTION_REF.matcher(stmt);
            while (fn.find()) {
                if (callsRelu(fn.group(), new HashSet<>())) {
                    needs = true; // copied so that generate() records the ReLU it cannot reach
                }
            }
            Matcher cm = CALL.matcher(stmt);
            while (cm.find()) {
                if (m.selfName().equals(cm.group(1)) && cls.methods.containsKey(cm.group(6))
                        && needsCopy(cls, cm.group(6))) {
                    needs = true;
                }
            }
        }
        needsCopyMemo.put(key, needs);
        return needs;
    }

    private void addReluHelper(ScriptClass cls) {
        if (!reluHelperAdded.add(cls.qualifiedName)) {
            return;
        }
        List<String> h = added.computeIfAbsent(cls.qualifiedName, k -> new ArrayList<>());
        h.add("  def ej_relu_site(self: " + cls.qualifiedName + ",");
        h.add("    ej_taps: List[Tensor], ej_mode: int, ej_z: Tensor) -> Tensor:");
        h.add("    if ej_mode == 1:");
        h.add("      ej_taps.append(ej_z)");
        h.add("      ej_t = torch.relu(ej_z).detach().requires_grad_()");
        h.add("      ej_taps.append(ej_t)");
        h.add("      ej_r = torch.clone(ej_t)");
        h.add("    else:");
        h.add("      ej_r = torch.relu(ej_z)");
        h.add("    return ej_r");
    }

    /** Inserts the generated methods at the end of their classes. */
    private Map<String, String> insert(TorchScriptArchive archive) {
        Map<String, String> code = archive.codeFiles();
        Map<String, String> replaced = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : added.entrySet()) {
            ScriptClass cls = classes.get(e.getKey());
            String text = replaced.getOrDefault(cls.file, code.get(cls.file));
            List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
            int start = lines.indexOf(lines.stream().filter(l -> l.startsWith("class " + cls.simpleName + "("))
                    .findFirst().orElseThrow());
            int end = start + 1;
            while (end < lines.size() && (lines.get(end).isEmpty() || lines.get(end).startsWith(" "))) {
                end++;
            }
            while (end > start + 1 && lines.get(end - 1).isEmpty()) {
                end--;
            }
            lines.addAll(end, e.getValue());
            replaced.put(cls.file, String.join("\n", lines));
        }
        return replaced;
    }

    private static ModelException unsupported(String construct) {
        return new ModelException("ExplainJ cannot prepare this model for layer methods: " + construct
                + ". Saliency still works; for layer methods export a model with a plain forward, or "
                + "a prepared model (see the README).");
    }
}
