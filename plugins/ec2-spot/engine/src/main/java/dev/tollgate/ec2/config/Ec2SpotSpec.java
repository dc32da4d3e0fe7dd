package dev.tollgate.ec2.config;

import dev.tollgate.common.config.Schema;

/**
 * How a template bids for spot capacity (the engine's {@code SpotSettings}), after Buildbot: the
 * average of the last 24 hours of spot prices times {@code priceMultiplier}, never above
 * {@code maxSpotPrice}. Prices are USD per hour written as decimals ({@code "0.12"}).
 *
 * @param maxSpotPrice       the bid never exceeds it; alone (no multiplier) it is the bid
 * @param priceMultiplier    applied to the 24-hour average, e.g. {@code "1.2"}
 * @param defaultPrice       the average to use when there is no price history; default maxSpotPrice
 * @param productDescription the spot product, default {@code Linux/UNIX}
 * @param fallbackToOnDemand start an on-demand instance when no spot capacity can be had at the bid
 */
public record Ec2SpotSpec(String maxSpotPrice, String priceMultiplier, String defaultPrice,
                          @Schema.Default("Linux/UNIX") String productDescription,
                          @Schema.Default("false") boolean fallbackToOnDemand) {
}
