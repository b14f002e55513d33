package org.explainj.model;

import java.util.Set;

/**
 * What preparing a model's archive found.
 *
 * @param available        whether layer taps and ReLU stages can be used
 * @param reason           why not, when they cannot
 * @param reluSites        ReLU call sites on the forward's call paths
 * @param otherActivations non-ReLU activations met, e.g. {@code gelu in Block}
 * @param unreachedRelus   ReLU calls on the forward's call paths that cannot be staged for ReLU rules, e.g.
 *                         {@code relu in function f (called from Net)}
 */
public record RewriteInfo(boolean available, String reason, int reluSites, Set<String> otherActivations,
                          Set<String> unreachedRelus) {

    public RewriteInfo {
        otherActivations = Set.copyOf(otherActivations);
        unreachedRelus = Set.copyOf(unreachedRelus);
    }

    static RewriteInfo unavailable(String reason) {
        return new RewriteInfo(false, reason, 0, Set.of(), Set.of());
    }
}
