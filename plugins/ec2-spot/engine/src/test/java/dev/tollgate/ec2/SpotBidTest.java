package dev.tollgate.ec2;

import org.junit.After;
import org.junit.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.Assert.assertEquals;

/** Buildbot's bid: 24-hour average × multiplier, capped at the maximum; default without history; cached by clock. */
public class SpotBidTest {
    private final Ec2Fixture f = new Ec2Fixture();

    public SpotBidTest() throws Exception {}

    @After
    public void close() {
        f.close();
    }

    private void prices(String zone, String... values) {
        Instant now = f.clock.instant();
        for (int i = 0; i < values.length; i++) {
            f.server.price("m5.large", zone, values[i], now.minus(Duration.ofMinutes(30L * (i + 1))));
        }
    }

    @Test
    public void averageOfTheLastDayTimesTheMultiplier() throws Exception {
        prices("us-east-1a", "0.030", "0.040", "0.050");
        // outside the 24 hours, another type, another zone: all ignored
        f.server.price("m5.large", "us-east-1a", "5.0", f.clock.instant().minus(Duration.ofHours(25)));
        f.server.price("m5.xlarge", "us-east-1a", "5.0", f.clock.instant().minus(Duration.ofHours(1)));
        f.server.price("m5.large", "us-east-1b", "5.0", f.clock.instant().minus(Duration.ofHours(1)));

        assertEquals(0.04 * 1.15, f.driver.spotBid("spot", "us-east-1a"), 1e-9);

        Map<String, String> p = f.server.calls("DescribeSpotPriceHistory").get(0).params();
        assertEquals("m5.large", p.get("InstanceType.1"));
        assertEquals("Linux/UNIX", p.get("ProductDescription.1"));
        assertEquals("us-east-1a", p.get("AvailabilityZone"));
        assertEquals(f.clock.instant().minus(Duration.ofHours(24)), Instant.parse(p.get("StartTime")));
        assertEquals(f.clock.instant(), Instant.parse(p.get("EndTime")));
    }

    @Test
    public void neverAboveTheMaximum() throws Exception {
        prices("us-east-1a", "0.080", "0.100"); // 0.09 × 1.15 > 0.09
        assertEquals(0.09, f.driver.spotBid("spot", "us-east-1a"), 1e-9);
    }

    @Test
    public void noHistoryMeansTheConfiguredDefault() throws Exception {
        assertEquals(0.02 * 1.15, f.driver.spotBid("spot", "us-east-1a"), 1e-9);
    }

    @Test
    public void withoutMultiplierTheMaximumIsBidAndNoHistoryIsRead() throws Exception {
        f.use(List.of(Ec2Fixture.spot(Ec2Fixture.spotOptions().spot(new SpotSettings(0.07, null, 0.02, null, false)))), c -> c);
        f.driver.create(f.spec("spot", "a0"));
        assertEquals("0.07", f.server.calls("RunInstances").get(0).get("InstanceMarketOptions.SpotOptions.MaxPrice"));
        assertEquals(0, f.server.calls("DescribeSpotPriceHistory").size());
        assertEquals(0, f.server.calls("DescribeSubnets").size());
    }

    @Test
    public void historyIsReadAcrossPages() throws Exception {
        f.server.pricePageSize = 2;
        prices("us-east-1a", "0.010", "0.020", "0.030", "0.040", "0.050");
        assertEquals(0.03 * 1.15, f.driver.spotBid("spot", "us-east-1a"), 1e-9);
        List<FakeEc2Server.Call> calls = f.server.calls("DescribeSpotPriceHistory");
        assertEquals(3, calls.size());
        assertEquals("2", calls.get(1).get("NextToken"));
        assertEquals("4", calls.get(2).get("NextToken"));
    }

    @Test
    public void averageIsCachedPerTypeZoneAndProductUntilTheClockSaysSo() throws Exception {
        prices("us-east-1a", "0.040");
        prices("us-east-1b", "0.060");
        f.driver.spotBid("spot", "us-east-1a");
        f.driver.spotBid("spot", "us-east-1a");
        f.driver.spotBid("spot", "us-east-1b");
        assertEquals(2, f.server.calls("DescribeSpotPriceHistory").size());

        f.clock.advance(Duration.ofMinutes(9));
        f.driver.spotBid("spot", "us-east-1a");
        assertEquals(2, f.server.calls("DescribeSpotPriceHistory").size());

        f.clock.advance(Duration.ofMinutes(1)); // default price cache: 10 minutes
        f.driver.spotBid("spot", "us-east-1a");
        assertEquals(3, f.server.calls("DescribeSpotPriceHistory").size());
    }

    @Test
    public void launchesInOneZoneShareOneHistoryCall() throws Exception {
        prices("us-east-1a", "0.040");
        prices("us-east-1b", "0.050");
        for (int i = 0; i < 6; i++) {
            f.driver.create(f.spec("spot", "agent-" + i));
        }
        // two zones → two history calls and one subnet lookup for six launches
        assertEquals(2, f.server.calls("DescribeSpotPriceHistory").size());
        assertEquals(1, f.server.calls("DescribeSubnets").size());
        assertEquals(6, f.server.calls("RunInstances").size());
        // each launch bids the average of its own zone
        assertEquals("0.046", f.server.calls("RunInstances").get(0).get("InstanceMarketOptions.SpotOptions.MaxPrice"));
        assertEquals("0.0575", f.server.calls("RunInstances").get(1).get("InstanceMarketOptions.SpotOptions.MaxPrice"));
    }
}
