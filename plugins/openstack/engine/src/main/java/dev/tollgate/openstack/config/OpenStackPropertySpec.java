package dev.tollgate.openstack.config;

import dev.tollgate.common.config.Schema;

/**
 * A key and its value: an image property an image rule requires ({@code image.properties}, e.g.
 * {@code os_distro: debian}), or a metadata item of the servers ({@code metadata}, Buildbot's
 * {@code meta}). A list of these rather than a map, so that JCasC, the web form and
 * {@code tollgate validate} read it the same way.
 */
public record OpenStackPropertySpec(@Schema.Required String key, @Schema.Required String value) {
    @Override
    public String toString() {
        return key; // values are the administrator's: keys are enough in a log line
    }
}
