package org.explainj.model;

import java.util.Set;

/**
 * What preparing a model's archive found.
 *
 * @param available        whether layer taps and ReLU stages can be used
 * @param reason           why not, when they cannot
 * @param reluSites        ReLU call sites on the forward's call paths
 * @param otherActivations non-ReLU activations met, e.g. {@code gelu in Block}
 */
public record RewriteInfo(boolean available, String reason, int reluSites, Set<String> otherActivations) {

    public RewriteInfo {
        otherActivations = Set.copyOf(otherActivations);
    }

    static RewriteInfo unavailable(String reason) {
        return new RewriteInfo(false, reason, 0, Set.of());
    }
}
