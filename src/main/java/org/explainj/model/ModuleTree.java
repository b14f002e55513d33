package org.explainj.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The module tree of a TorchScript model, read from its serialized code: every submodule's dotted path
 * ({@code layer4}, {@code layer4.1.conv2}, {@code features.28}), its class, and a number in pre-order that the
 * rewritten archive uses to select the layer to tap.
 */
public final class ModuleTree {

    /** One module instance. */
    public record Node(String path, String typeName, int id, int depth, List<String> childNames) {
        /** The last segment of the type's qualified name, e.g. {@code Conv2d}. */
        public String type() {
            return typeName.substring(typeName.lastIndexOf('.') + 1);
        }
    }

    private final ScriptCode code;
    private final Map<String, ScriptClass> classes;
    private final ScriptClass root;
    private final Map<String, Node> byPath = new LinkedHashMap<>();
    private final Map<String, Integer> sizes = new HashMap<>();

    ModuleTree(ScriptCode code, String rootClass) {
        this.code = code;
        this.classes = code.classes();
        this.root = classes.get(rootClass);
        if (root == null) {
            throw new ModelException("The model's root class " + rootClass + " has no code in the archive; "
                    + "the file may be damaged. Export it again with torch.jit.save.");
        }
        visit("", root, 0, 0);
    }

    /** Reads the module tree of an archive (its code parsed; unreadable code is a {@link ModelException}). */
    public static ModuleTree of(TorchScriptArchive archive) {
        return new ModuleTree(ScriptCode.of(archive), archive.rootClassName());
    }

    private void visit(String path, ScriptClass cls, int id, int depth) {
        List<String> names = new ArrayList<>(submodules(cls).keySet());
        byPath.put(path, new Node(path, cls.qualifiedName, id, depth, Collections.unmodifiableList(names)));
        int next = id + 1;
        for (Map.Entry<String, ScriptClass> child : submodules(cls).entrySet()) {
            String childPath = path.isEmpty() ? child.getKey() : path + "." + child.getKey();
            visit(childPath, child.getValue(), next, depth + 1);
            next += size(child.getValue());
        }
    }

    /** The attributes of a class that hold submodules, in declaration order. */
    Map<String, ScriptClass> submodules(ScriptClass cls) {
        Map<String, ScriptClass> subs = new LinkedHashMap<>();
        for (Map.Entry<String, String> a : cls.attributes.entrySet()) {
            ScriptClass t = classes.get(a.getValue());
            if (t != null && t.isModule()) {
                subs.put(a.getKey(), t);
            }
        }
        return subs;
    }

    /** Number of module instances in a subtree whose root has this class (the same for every instance). */
    int size(ScriptClass cls) {
        Integer s = sizes.get(cls.qualifiedName);
        if (s == null) {
            int n = 1;
            for (ScriptClass c : submodules(cls).values()) {
                n += size(c);
            }
            s = n;
            sizes.put(cls.qualifiedName, s);
        }
        return s;
    }

    /** Pre-order offset of a child attribute from its parent's number. */
    int offset(ScriptClass parent, String attribute) {
        int off = 1;
        for (Map.Entry<String, ScriptClass> c : submodules(parent).entrySet()) {
            if (c.getKey().equals(attribute)) {
                return off;
            }
            off += size(c.getValue());
        }
        throw new IllegalArgumentException(attribute + " is not a submodule of " + parent);
    }

    ScriptClass rootClass() {
        return root;
    }

    Map<String, ScriptClass> classes() {
        return classes;
    }

    ScriptCode code() {
        return code;
    }

    /** All modules in pre-order; the root has the empty path. */
    public List<Node> nodes() {
        return List.copyOf(byPath.values());
    }

    /** The node at a dotted path, or null. */
    public Node node(String path) {
        return byPath.get(path);
    }

    /**
     * The number the tap protocol selects a layer by ({@link TapProtocol}): its pre-order number, after checking that
     * it exists, is a module the model calls, and returns one tensor; {@link TapProtocol#NONE} for null.
     */
    int tapId(String layer) {
        if (layer == null) {
            return TapProtocol.NONE;
        }
        ModuleTree.Node node = node(layer);
        if (node == null) {
            throw new LayerException(LayerNames.unknownLayerMessage(layer, this));
        }
        ScriptClass cls = classes.get(node.typeName());
        org.explainj.model.script.Stmt.FunctionDef forward = cls == null ? null : cls.forward();
        if (cls != null && forward == null && !node.childNames().isEmpty()) {
            throw new LayerException("The layer " + layer + " (" + node.type() + ") is a container that the "
                    + "model never calls itself; choose one of its modules: " + layer + "." + String.join(", "
                    + layer + ".", node.childNames()) + ".");
        }
        String ret = forward == null ? "" : ScriptClass.returnType(forward);
        if (!ret.isEmpty() && !"Tensor".equals(ret)) {
            throw new LayerException("The layer " + layer + " (" + node.type() + ") returns "
                    + ret + ", not one tensor, so it cannot be explained. Choose a layer inside "
                    + "it" + (node.childNames().isEmpty() ? "" : " (" + layer + "." + String.join(", " + layer
                    + ".", node.childNames()) + ")") + " or one that uses its output.");
        }
        return node.id();
    }
}
