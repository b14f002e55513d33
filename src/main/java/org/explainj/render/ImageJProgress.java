package org.explainj.render;

import ij.IJ;
import org.explainj.explain.Progress;

/**
 * ImageJ's progress bar and Esc key as {@link Progress}: a long explanation (stack, several targets, batched
 * methods) shows its progress, and Esc stops it with nothing written.
 */
public class ImageJProgress implements Progress {

    private final int step;
    private final int steps;
    private volatile boolean cancelled;

    public ImageJProgress() {
        this(0, 1);
    }

    private ImageJProgress(int step, int steps) {
        this.step = step;
        this.steps = Math.max(1, steps);
    }

    /** The progress of step {@code step} of {@code steps} (each step reports 0..1 within its share). */
    public ImageJProgress step(int step, int steps) {
        ImageJProgress parent = this;
        return new ImageJProgress(step, steps) {
            @Override
            public boolean cancelled() {
                return parent.cancelled();
            }
        };
    }

    @Override
    public void update(int done, int total) {
        IJ.showProgress((step + (total > 0 ? (double) done / total : 1)) / steps);
    }

    @Override
    public boolean cancelled() {
        if (!cancelled && IJ.escapePressed()) {
            cancelled = true;
        }
        return cancelled;
    }

    /** Stops the work at the next check (e.g. from another thread or a test). */
    public void cancel() {
        cancelled = true;
    }

    /** Clears the progress bar. */
    public void done() {
        IJ.showProgress(1.0);
    }
}
