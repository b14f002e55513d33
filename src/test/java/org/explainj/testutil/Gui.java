package org.explainj.testutil;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that needs a display (ImageJ windows, dialogs, menus, screenshots; run under {@code xvfb-run}). Left out by
 * the fast profile ({@code mvn -Pfast test}, headless); CI runs it.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("gui")
public @interface Gui {
}
