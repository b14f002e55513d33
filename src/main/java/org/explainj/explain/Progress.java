package org.explainj.explain;

/**
 * Progress of a long explanation (batches of Score-CAM, SmoothGrad, Integrated Gradients, Occlusion; planes and
 * targets of a stack) and the user's request to stop. Implementations must be cheap and thread-safe.
 */
public interface Progress {

    /** No reporting, never cancelled. */
    Progress NONE = new Progress() {
        @Override
        public void update(int done, int total) {
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    };

    void update(int done, int total);

    boolean cancelled();

    /** Throws {@link CancelledException} when the user asked to stop. */
    default void check() {
        if (cancelled()) {
            throw new CancelledException();
        }
    }
}
