package dev.tollgate.ec2;

import java.util.ArrayList;
import java.util.List;

/**
 * How a template bids for spot capacity, after Buildbot's EC2 latent worker: the bid is the average
 * of the last 24 hours of spot prices for the instance type, zone and product, times
 * {@code priceMultiplier}, never above {@code maxSpotPrice}.
 *
 * @param maxSpotPrice       USD per hour the bid never exceeds; null = no cap of ours (EC2 then caps at
 *                           the on-demand price)
 * @param priceMultiplier    applied to the 24-hour average; null = bid {@code maxSpotPrice} directly
 *                           without looking at the history (Buildbot's behaviour without a multiplier)
 * @param defaultPrice       USD per hour used as the average when the history is empty
 * @param productDescription the spot product, e.g. {@code Linux/UNIX}
 * @param fallbackToOnDemand start an on-demand instance when no spot capacity can be had at our price
 */
public record SpotSettings(Double maxSpotPrice, Double priceMultiplier, double defaultPrice,
                           String productDescription, boolean fallbackToOnDemand) {
    public static final String LINUX = "Linux/UNIX";

    public SpotSettings {
        if (productDescription == null || productDescription.isBlank()) {
            productDescription = LINUX;
        }
    }

    /** Bid the 24-hour average times the multiplier, capped at maxSpotPrice. */
    public static SpotSettings averaged(double priceMultiplier, Double maxSpotPrice, double defaultPrice) {
        return new SpotSettings(maxSpotPrice, priceMultiplier, defaultPrice, LINUX, false);
    }

    public SpotSettings withFallbackToOnDemand(boolean fallback) {
        return new SpotSettings(maxSpotPrice, priceMultiplier, defaultPrice, productDescription, fallback);
    }

    public SpotSettings withProductDescription(String product) {
        return new SpotSettings(maxSpotPrice, priceMultiplier, defaultPrice, product, fallbackToOnDemand);
    }

    List<String> problems() {
        List<String> p = new ArrayList<>();
        if (maxSpotPrice != null && !(maxSpotPrice > 0)) {
            p.add("spot.maxSpotPrice must be a positive USD/hour price, got " + maxSpotPrice);
        }
        if (priceMultiplier != null && !(priceMultiplier > 0)) {
            p.add("spot.priceMultiplier must be positive, got " + priceMultiplier);
        }
        if (priceMultiplier == null && maxSpotPrice == null) {
            p.add("spot needs a priceMultiplier (bid = 24h average x multiplier) or a maxSpotPrice (fixed bid)");
        }
        if (!(defaultPrice > 0)) {
            p.add("spot.defaultPrice (used when there is no price history) must be positive, got " + defaultPrice);
        }
        return p;
    }
}
