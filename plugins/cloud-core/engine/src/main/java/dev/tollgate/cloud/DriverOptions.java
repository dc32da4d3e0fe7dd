package dev.tollgate.cloud;

import java.util.List;

/**
 * A cloud driver's own settings for one template (EC2: instance type, image, subnets, spot bid...).
 * An {@link AgentTemplate} carries them, so a cloud's template is one object, with the engine's part
 * (labels, caps, timeouts) and the driver's part side by side, and the driver reads its part typed.
 * Implementations are immutable records; {@link #toString()} must not show secrets.
 */
public interface DriverOptions {

    /**
     * Every problem with these options, each starting with {@code where} (e.g. {@code template 'x'});
     * empty when they are valid. The cloud's settings list them with their own problems, all at once.
     */
    default List<String> problems(String where) {
        return List.of();
    }

    /** For clouds without per-template settings, and for tests. */
    None NONE = new None();

    /** No driver settings. */
    record None() implements DriverOptions {
    }
}
