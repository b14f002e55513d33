package org.explainj.model;

import ai.djl.ndarray.NDArray;

/** libtorch's error messages turned into messages that say what to do. */
public final class LibtorchErrors {

    private LibtorchErrors() {
    }

    /** A failed forward or backward on an input. */
    static ModelException failed(NDArray input, ai.djl.engine.EngineException e) {
        String first = firstLine(e.getMessage());
        String hint;
        if (first.contains("missing value for argument")) {
            hint = " The model's forward needs more inputs than the one image ExplainJ gives it; wrap the model in a "
                    + "module whose forward takes a single tensor.";
        } else if (first.contains("input for 4-dimensional weight") || first.contains("input for 5-dimensional weight")) {
            hint = first.contains("input for 4-dimensional weight")
                    ? " The model takes 2-D images (N×C×H×W) but was given a volume: set model_dims=2d to explain "
                    + "the stack plane by plane."
                    : " The model takes volumes (N×C×D×H×W) but was given a plane: set model_dims=3d and give it a "
                    + "z-stack.";
        } else if (first.contains("Output size is too small") || first.contains("smaller than kernel size")
                || first.contains("Kernel size can't be greater")) {
            hint = input.getShape().dimension() == 5
                    ? " The volume (" + input.getShape().get(4) + "x" + input.getShape().get(3) + " pixels, "
                    + input.getShape().get(2) + " slices) is too small for this 3-D network in z or in x/y: give it "
                    + "as many slices as the model was trained on, or resize x and y with input_size=... (e.g. "
                    + "input_size=64)."
                    : " The image is too small for this network: resize it to the size the model was trained on with "
                    + "input_size=... (e.g. input_size=224).";
        } else if (first.contains("derivative for") && first.contains("is not implemented")) {
            return noDerivative(first, e);
        } else {
            hint = " Check the input size and channel count the model expects.";
        }
        return new ModelException("The model failed on an input of shape " + input.getShape() + ": " + first
                + (first.endsWith(".") ? "" : ".") + hint, e);
    }

    /** A backward that libtorch cannot do: an operation without a derivative. */
    static ModelException noDerivative(String first, Exception cause) {
        String op = first.replaceAll(".*derivative for (\\S+) is not implemented.*", "$1");
        return new ModelException("The model uses " + op + ", which libtorch cannot differentiate, so gradient "
                + "methods cannot run on it. Such fast-path operations are recorded when a model is traced under "
                + "torch.no_grad() or in inference mode: export it again without torch.no_grad() "
                + "(torch.jit.trace(model, x) with the parameters requiring gradients) or with torch.jit.script. "
                + "Occlusion and Score-CAM need no gradient and still work.", cause);
    }

    /** The line of a libtorch message that says what went wrong (not the interpreter's traceback). */
    public static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        if (message.startsWith("The following operation failed in the TorchScript interpreter")) {
            String[] lines = message.split("\n");
            for (int i = lines.length - 1; i >= 0; i--) {
                String l = lines[i].trim();
                if (!l.isEmpty()) {
                    return l.replaceFirst("^[A-Za-z]*Error: ", "");
                }
            }
        }
        for (String line : message.split("\n")) {
            if (!line.isBlank() && !line.startsWith("Exception raised from")) {
                return line.trim();
            }
        }
        return message.trim();
    }
}
