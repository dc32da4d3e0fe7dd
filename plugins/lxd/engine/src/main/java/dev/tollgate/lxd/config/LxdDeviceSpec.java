package dev.tollgate.lxd.config;

import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * One device of a template's instances, as LXD names it: {@code name}, its {@code type} ({@code disk},
 * {@code nic}, {@code unix-char}, ...) and the type's keys, e.g. a read-only cache directory of the
 * host: {@code {name: cache, type: disk, options: [{key: path, value: /cache}, {key: source, value:
 * /srv/cache}, {key: readonly, value: "true"}]}}.
 *
 * @param name    the device's name in the instance; LXD's name rules
 * @param type    LXD's device type
 * @param options the type's keys ({@code type} itself is not one of them)
 */
public record LxdDeviceSpec(@Schema.Required String name, @Schema.Required String type, List<LxdConfigSpec> options) {
    public LxdDeviceSpec {
        options = options == null ? List.of() : List.copyOf(options);
    }
}
