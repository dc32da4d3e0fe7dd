package dev.tollgate.lxd.config;

import dev.tollgate.common.config.Schema;

/**
 * An image server a template may take its image from ({@code imageRemote: <name>}), e.g.
 * {@code {name: images, url: https://images.linuxcontainers.org, protocol: simplestreams}}.
 *
 * @param name     what templates call it
 * @param url      the server, https:// (or http:// for a mirror on the daemon's own network)
 * @param protocol {@code simplestreams} or {@code lxd}
 */
public record LxdImageRemoteSpec(@Schema.Required String name, @Schema.Required String url,
                                 @Schema.Default("simplestreams") String protocol) {
}
