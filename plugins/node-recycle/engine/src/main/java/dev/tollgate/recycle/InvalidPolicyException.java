package dev.tollgate.recycle;

import java.util.List;

/** A recycle configuration that cannot work; {@link #errors()} lists every problem, each as one sentence. */
public final class InvalidPolicyException extends IllegalArgumentException {
    private final List<String> errors;

    public InvalidPolicyException(List<String> errors) {
        super("invalid node recycling configuration: " + String.join("; ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
