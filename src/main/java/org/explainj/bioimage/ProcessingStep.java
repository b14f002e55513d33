package org.explainj.bioimage;

import java.util.Map;

/** One pre- or postprocessing step of a package tensor: its name ({@code scale_range}, ...) and its arguments. */
public record ProcessingStep(String name, Map<String, Object> kwargs) {

    public ProcessingStep {
        kwargs = kwargs == null ? Map.of() : Map.copyOf(kwargs);
    }

    @Override
    public String toString() {
        return kwargs.isEmpty() ? name : name + " " + kwargs;
    }
}
