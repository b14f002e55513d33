package org.explainj.bioimage;

import org.explainj.model.ModelException;

/** A bioimage.io model package that cannot be opened, checked or used; the message says which file and why. */
public class PackageException extends ModelException {

    public PackageException(String message) {
        super(message);
    }

    public PackageException(String message, Throwable cause) {
        super(message, cause);
    }
}
