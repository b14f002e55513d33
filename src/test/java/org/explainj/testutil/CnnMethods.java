package org.explainj.testutil;

import java.util.Arrays;
import org.explainj.explain.Method;

/** The methods that apply to convolutional networks: all but Attention Rollout (vision transformers only). */
public final class CnnMethods {

    private CnnMethods() {
    }

    public static Method[] all() {
        return Arrays.stream(Method.values()).filter(m -> m != Method.ATTENTION_ROLLOUT).toArray(Method[]::new);
    }
}
