package dev.tollgate.gearman.config;

import dev.tollgate.common.config.Schema;
import dev.tollgate.gearman.GearmanServerAddress;

/**
 * One Gearman job server of the {@code tollgateGearman} section: the Zuul v2 gearmand that hands out
 * builds. Every executor of every node holds one connection to it.
 *
 * @param host the server's host name or address (an IPv6 address without brackets)
 * @param port its port, 4730 unless given
 */
public record GearmanServerConfig(@Schema.Required String host, @Schema.Default("4730") int port) {
    /** The address the worker connects to; only for a configuration that {@link GearmanSettings#check}ed clean. */
    public GearmanServerAddress address() {
        return new GearmanServerAddress(host.strip(), port);
    }

    @Override
    public String toString() {
        return (host != null && host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
