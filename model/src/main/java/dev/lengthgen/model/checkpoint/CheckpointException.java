package dev.lengthgen.model.checkpoint;

import java.io.IOException;

/** A checkpoint file is unreadable, truncated, corrupt or does not match the model; the message says which. */
public class CheckpointException extends IOException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
