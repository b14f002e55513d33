package org.explainj.ij;

import ij.IJ;
import ij.macro.Interpreter;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Reports errors the ImageJ way: a dialog when ImageJ has a window, the Log in batch mode; either way a running
 * macro is aborted.
 */
final class Errors {

    static final String TITLE = "ExplainJ";

    private Errors() {
    }

    static void report(String message) {
        if (ExplainImagePlugin.batch()) {
            IJ.log(TITLE + " error: " + message);
            // Macro.abort() does not stop a macro that called run("Explain Image...") (IJ.run only throws when no
            // interpreter is set), and IJ.error() would open the modal "Macro Error" dialog (a hang in -batch mode,
            // an exception in headless mode). Stop the calling macro without a dialog instead.
            Interpreter macro = Interpreter.getInstance();
            if (macro != null) {
                macro.setIgnoreErrors(true);
                macro.abort(TITLE + ": " + message);
            }
        } else {
            IJ.error(TITLE, message);
        }
    }

    static void unexpected(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        IJ.log(TITLE + ": unexpected error\n" + sw);
        report("Unexpected error: " + t + ". The details are in the Log window; please report them.");
    }

    /** The user pressed Esc: a status message (and the Log in batch mode); a running macro stops too. */
    static void cancelled(String message) {
        IJ.showStatus(TITLE + ": cancelled");
        IJ.showProgress(1.0);
        if (batch()) {
            IJ.log(TITLE + ": " + message);
        }
        Interpreter macro = Interpreter.getInstance();
        if (macro != null) {
            macro.setIgnoreErrors(true);
            macro.abort(TITLE + ": " + message);
        }
    }

    private static boolean batch() {
        return ExplainImagePlugin.batch();
    }

    /**
     * Runs a command's work and reports what stops it (Esc, a refusal, an unexpected failure) the ImageJ way;
     * whether it completed.
     */
    static boolean run(Runnable work) {
        try {
            work.run();
            return true;
        } catch (org.explainj.explain.CancelledException e) {
            cancelled(e.getMessage());
        } catch (org.explainj.ExplainJException e) {
            report(e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            unexpected(e);
        }
        return false;
    }

    /**
     * Reads a dialog (or a macro's keys) with {@code read}; a refused value is reported the ImageJ way. Whether the
     * command may run (false: cancelled or refused).
     */
    static boolean dialog(java.util.function.BooleanSupplier read) {
        try {
            return read.getAsBoolean();
        } catch (org.explainj.ExplainJException e) {
            report(e.getMessage());
            return false;
        }
    }

    /** Whether a macro runs the command without any keys (then no dialog may wait for a click). */
    static boolean macroWithoutKeys() {
        return ij.IJ.isMacro() && ij.Macro.getOptions() == null;
    }
}
