package org.explainj.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Messages about layer names: suggests the closest existing paths to a mistyped one. */
final class LayerNames {

    private LayerNames() {
    }

    static String unknownLayerMessage(String layer, ModuleTree tree) {
        List<String> paths = new ArrayList<>();
        for (ModuleTree.Node n : tree.nodes()) {
            if (!n.path().isEmpty()) {
                paths.add(n.path());
            }
        }
        paths.sort(Comparator.comparingInt((String p) -> distance(layer, p)).thenComparing(p -> p));
        List<String> closest = paths.subList(0, Math.min(5, paths.size()));
        return "The model has no layer \"" + layer + "\". Closest: " + String.join(", ", closest)
                + ". Layer names are dotted module paths as in PyTorch's model.named_modules().";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
