package dev.tollgate.lxd.config;

import dev.tollgate.common.config.Schema;

/**
 * One LXD configuration key and its value: an instance config key of a template ({@code config},
 * e.g. {@code limits.cpu: "2"}) or a key of a device ({@code devices[].options}, e.g. {@code path}).
 * A list of these rather than a map, so that JCasC, the web form and {@code tollgate validate} read
 * it the same way.
 */
public record LxdConfigSpec(@Schema.Required String key, @Schema.Required String value) {
    @Override
    public String toString() {
        return key; // values are the administrator's (limits, paths): keys are enough in a log line
    }
}
