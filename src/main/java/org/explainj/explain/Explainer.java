package org.explainj.explain;

import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/** One explanation method: one verb for all of them. */
public interface Explainer {

    Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options);
}
