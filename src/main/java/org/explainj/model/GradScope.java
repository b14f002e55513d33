package org.explainj.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns libtorch's (thread-local) autograd recording on for the current thread and restores the previous state on
 * close. Every operation whose gradient is needed, including indexing the target score out of the output, must run
 * inside one.
 */
public final class GradScope implements AutoCloseable {

    private final boolean previous;

    private GradScope() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
    }

    public static GradScope open() {
        return new GradScope();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
