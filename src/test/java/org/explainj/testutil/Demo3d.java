package org.explainj.testutil;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import org.explainj.command.ExplainImageCommand;

/** The shipped 3-D demo (test-images/demo3d): the Conv3d model, its two z-stacks, and a command set up for them. */
public final class Demo3d {

    public static final File MODEL = new File("test-images/demo3d/vol3d.pt");

    private Demo3d() {
    }

    /** The hollow-shell stack (class 1), 16 slices of 32×32, 8-bit. */
    public static ImagePlus shell() {
        return IJ.openImage("test-images/demo3d/shell_1.tif");
    }

    /** The solid-balls stack (class 0). */
    public static ImagePlus balls() {
        return IJ.openImage("test-images/demo3d/balls_only_1.tif");
    }

    /** Explain Image with the 3-D model on {@code imp}. */
    public static ExplainImageCommand command(ImagePlus imp, String method) {
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = MODEL;
        cmd.method = method;
        return cmd;
    }
}
