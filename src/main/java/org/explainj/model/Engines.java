package org.explainj.model;

import ai.djl.engine.Engine;

/** Starts DJL's PyTorch engine offline, with the native library from the class path. */
public final class Engines {

    private Engines() {
    }

    /**
     * Returns the PyTorch engine. Thread count: system property {@code explainj.threads} (else libtorch's
     * default). Nothing is downloaded: {@code ai.djl.offline} is set unless the user set it. TorchScript's profiling
     * graph executor is off unless the user set {@code ai.djl.pytorch.graph_optimizer}: it makes the first calls of
     * each input shape slow (a first Grad-CAM on ResNet-18 134 ms instead of 42 ms) and later ones no faster
     * (ResNet-18, 2 threads, 30 calls each: Grad-CAM 37.4 vs 38.0 ms, Saliency 81.5 vs 78.1 ms, on vs off).
     */
    public static synchronized Engine pytorch() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("ai.djl.pytorch.graph_optimizer") == null) {
            System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        }
        String threads = System.getProperty("explainj.threads");
        if (threads != null && System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", threads);
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        // DJL finds its engine and libtorch through the thread's context class loader. Plain ImageJ 1.x loads
        // plugins/ and jars/ with its own PluginClassLoader but leaves the context loader at the system one.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Engines.class.getClassLoader());
        try {
            return Engine.getEngine("PyTorch");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
