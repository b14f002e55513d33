package org.explainj.robust;

import org.explainj.evaluate.EvaluationKeys;
import org.explainj.explain.Keys;
import org.explainj.explain.OptionException;
import org.explainj.explain.Options;
import org.explainj.explain.Values;
import org.explainj.tensor.InputException;
import org.explainj.tensor.InputSpec;
import org.junit.jupiter.api.Test;

/**
 * Values of keys that are not numbers a run can use: NaN and infinities (an all-NaN map, or a finite but
 * meaningless one, came out before), work sizes that would run for hours, and input sizes whose arrays cannot exist
 * (a NegativeArraySizeException or an OutOfMemoryError before).
 */
class RobustKeysTest {

    @Test
    void nonFiniteNumbersAreRefusedNamingTheKey() {
        Survey.error("keys: baseline=NaN (Integrated Gradients)", OptionException.class,
                () -> Values.defaults().parse(Options.BASELINE.key(), "NaN"), "baseline=NaN", "not a finite number");
        Survey.error("keys: noise=Infinity (SmoothGrad)", OptionException.class,
                () -> Values.defaults().parse(Options.NOISE.key(), "Infinity"), "noise=Infinity", "finite");
        Survey.error("keys: Evaluate Explanation baseline=-Infinity", OptionException.class,
                () -> EvaluationKeys.BASELINE.parse("-Infinity"), "baseline=-Infinity", "finite");
        Survey.error("keys: mean=NaN", InputException.class, () -> InputSpec.parseFloats("mean", "0.5,NaN"),
                "finite numbers", "0.5,NaN");
    }

    @Test
    void workThatWouldRunForHoursIsRefusedWithTheLimit() {
        Survey.error("keys: steps=100000 (Integrated Gradients)", OptionException.class,
                () -> Values.defaults().parse(Options.STEPS.key(), "100000"), "steps=100000", "10000");
        Survey.error("keys: samples=1000000 (SmoothGrad)", OptionException.class,
                () -> Values.defaults().parse(Options.SAMPLES.key(), "1000000"), "samples=1000000", "10000");
        Survey.error("keys: Evaluate Explanation steps=100000000", OptionException.class,
                () -> EvaluationKeys.STEPS.parse("100000000"), "steps=100000000", "10000");
        Survey.error("keys: opacity=2", OptionException.class,
                () -> Values.defaults().parse(Keys.OPACITY.key(), "2"), "opacity=2", "largest allowed value, 1");
    }

    @Test
    void inputSizesWhoseArraysCannotExistAreRefused() {
        Survey.error("keys: input_size=50000", InputException.class, () -> InputSpec.parseSize("50000"),
                "input_size=50000", "50000×50000", "8192×8192");
        Survey.error("keys: input_size=96x (no height)", InputException.class, () -> InputSpec.parseSize("96x"),
                "224x224", "\"96x\"");
        Survey.error("keys: input_size=30000x9000", InputException.class, () -> InputSpec.parseSize("30000x9000"),
                "30000×9000", "270.0 million pixels");
    }
}
