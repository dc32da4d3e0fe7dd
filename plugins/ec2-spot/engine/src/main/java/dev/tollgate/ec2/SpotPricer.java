package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryResponse;
import software.amazon.awssdk.services.ec2.model.SpotPrice;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The spot bid, as Buildbot computes it: the plain average of the spot prices EC2 reports for the
 * last 24 hours for the instance type, zone and product, times the multiplier, capped at the
 * maximum; with no history the configured default stands in for the average. Averages are cached
 * per (type, zone, product) for {@code ttl} by the clock, so a burst of launches costs one
 * DescribeSpotPriceHistory (paginated) rather than one per launch.
 */
final class SpotPricer {
    static final Duration HISTORY = Duration.ofHours(24);
    /** A runaway history (it should be a few hundred records a day) stops here. */
    private static final int MAX_PAGES = 20;

    /** What a launch bids and what it most likely pays. */
    record Quote(double bid, double expectedPrice, int samples) {
        /** EC2 wants a decimal string; 6 places is finer than any spot price. */
        String bidString() {
            return new java.math.BigDecimal(bid).setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
        }
    }

    private record Key(String instanceType, String zone, String product) {}

    private record Average(double value, int samples) {}

    private final Ec2Calls ec2;
    private final Clock clock;
    private final ClockCache<Key, Average> cache;

    SpotPricer(Ec2Calls ec2, Clock clock, Duration ttl) {
        this.ec2 = ec2;
        this.clock = clock;
        this.cache = new ClockCache<>(clock, ttl);
    }

    Quote quote(String instanceType, String zone, SpotSettings s) throws CloudException {
        if (s.priceMultiplier() == null) {
            // no multiplier: bid the maximum outright, no history needed (Buildbot does the same)
            return new Quote(s.maxSpotPrice(), s.maxSpotPrice(), 0);
        }
        Average avg = cache.get(new Key(instanceType, zone, s.productDescription()), this::load);
        double base = avg.samples == 0 ? s.defaultPrice() : avg.value;
        double bid = base * s.priceMultiplier();
        if (s.maxSpotPrice() != null && bid > s.maxSpotPrice()) {
            bid = s.maxSpotPrice();
        }
        // what a spot instance pays is the market price, about the average, never more than the bid
        return new Quote(bid, Math.min(base, bid), avg.samples);
    }

    private Average load(Key k) throws CloudException {
        Instant now = clock.instant();
        DescribeSpotPriceHistoryRequest.Builder req = DescribeSpotPriceHistoryRequest.builder()
                .instanceTypesWithStrings(k.instanceType)
                .productDescriptions(k.product)
                .startTime(now.minus(HISTORY))
                .endTime(now);
        if (k.zone != null) {
            req.availabilityZone(k.zone);
        }
        double sum = 0;
        int n = 0;
        String token = null;
        int pages = 0;
        do {
                DescribeSpotPriceHistoryRequest page = req.nextToken(token).build();
                DescribeSpotPriceHistoryResponse r = ec2.call("DescribeSpotPriceHistory", c -> c.describeSpotPriceHistory(page));
                for (SpotPrice p : r.spotPriceHistory()) {
                    // the filters should already do this; be strict anyway, as Buildbot is
                    if (!k.instanceType.equals(p.instanceTypeAsString())
                            || (k.zone != null && !k.zone.equals(p.availabilityZone()))
                            || !k.product.equals(p.productDescriptionAsString())) {
                        continue;
                    }
                    try {
                        double v = Double.parseDouble(p.spotPrice());
                        if (v > 0 && Double.isFinite(v)) {
                            sum += v;
                            n++;
                        }
                    } catch (NumberFormatException | NullPointerException ignored) {
                        // a malformed record does not spoil the average
                    }
                }
                token = r.nextToken() == null || r.nextToken().isEmpty() ? null : r.nextToken();
            } while (token != null && ++pages < MAX_PAGES);
        return new Average(n == 0 ? Double.NaN : sum / n, n);
    }
}
