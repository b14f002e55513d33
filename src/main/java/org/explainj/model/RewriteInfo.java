package org.explainj.model;

import java.util.Set;

/**
 * What preparing a model's archive found.
 *
 * @param available        whether layer taps and ReLU stages can be used
 * @param reason           why not, when they cannot
 * @param entry            the prepared copy's entry method ({@link TapProtocol})
 * @param reluSites        ReLU call sites on the forward's call paths
 * @param otherActivations non-ReLU activations met, e.g. {@code gelu in Block}
 * @param unreachedRelus   ReLU calls on the forward's call paths that cannot be staged for ReLU rules
 * @param attentionSites   softmax calls on the forward's call paths (attention probabilities for rollout)
 * @param onlyCopyDifferentiable whether the model's own forward has no derivative (e.g. PyTorch's attention fast
 *                         path, recorded under torch.no_grad()) and gradients must come from the checked copy
 * @param constructs       notable constructs the rewriter handled, for messages
 * @param outputKind       how forward returns its tensors: tensor, tuple, list, dict or namedtuple
 * @param outputNames      a named tuple's tensor fields, in order (empty otherwise)
 * @param plainMethod      a method that runs the unchanged forward and returns its tensors as a list, for outputs
 *                         that DJL cannot read itself (a named tuple with None fields); null when not needed
 */
public record RewriteInfo(boolean available, String reason, String entry, int reluSites, Set<String> otherActivations,
                          Set<String> unreachedRelus, int attentionSites, boolean onlyCopyDifferentiable,
                          Set<String> constructs, String outputKind, java.util.List<String> outputNames,
                          String plainMethod) {

    public RewriteInfo {
        otherActivations = Set.copyOf(otherActivations);
        unreachedRelus = Set.copyOf(unreachedRelus);
        constructs = Set.copyOf(constructs);
        outputNames = outputNames == null ? java.util.List.of() : java.util.List.copyOf(outputNames);
    }

    static RewriteInfo unavailable(String reason) {
        return new RewriteInfo(false, reason, null, 0, Set.of(), Set.of(), 0, false, Set.of(), null, null, null);
    }
}
