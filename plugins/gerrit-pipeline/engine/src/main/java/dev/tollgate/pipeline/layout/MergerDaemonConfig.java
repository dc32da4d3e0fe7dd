package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.util.List;

/**
 * The merger's git daemon, the {@code merger: daemon:} key: it serves the merger's repositories
 * read-only over {@code git://}. Absent: no daemon (agents fetch over Jenkins' HTTP URL).
 *
 * @param address         the address to listen on, a literal IPv4 or IPv6 address on the agents' network
 * @param port            the port (9418, git's)
 * @param allowedNetworks CIDR networks whose clients may fetch, e.g. {@code 10.0.0.0/16}; every other
 *                        client is refused (git:// has no authentication)
 */
public record MergerDaemonConfig(@Schema.Required String address, @Schema.Default("9418") int port,
                                 @Schema.Required("the networks whose agents may fetch (CIDR)")
                                 List<String> allowedNetworks) {
    public MergerDaemonConfig {
        allowedNetworks = allowedNetworks == null ? List.of() : List.copyOf(allowedNetworks);
    }
}
