package dev.lengthgen.engine;

/** A backend cannot be opened here (no OpenCL runtime, no such device, ...); the message says what to do. */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
