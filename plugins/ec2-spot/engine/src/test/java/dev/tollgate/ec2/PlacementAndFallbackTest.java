package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudInstance;
import org.junit.After;
import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Subnet spread, retry in the next zone on capacity errors, and the optional on-demand fallback. */
public class PlacementAndFallbackTest {
    private final Ec2Fixture f = new Ec2Fixture();
    private final LogCapture log = new LogCapture();

    public PlacementAndFallbackTest() throws Exception {
        f.use(List.of(Ec2Fixture.spot(Ec2Fixture.spotOptions()
                .subnetIds(List.of("subnet-aaaa1111", "subnet-bbbb2222", "subnet-cccc3333")))), c -> c);
    }

    @After
    public void close() {
        log.close();
        f.close();
    }

    private List<String> runSubnets() {
        return f.server.calls("RunInstances").stream().map(c -> c.get("SubnetId")).toList();
    }

    private List<String> runMarkets() {
        return f.server.calls("RunInstances").stream()
                .map(c -> c.get("InstanceMarketOptions.MarketType") == null ? "on-demand" : "spot").toList();
    }

    @Test
    public void launchesSpreadAcrossSubnets() throws Exception {
        for (int i = 0; i < 4; i++) {
            f.driver.create(f.spec("spot", "a" + i));
        }
        assertEquals(List.of("subnet-aaaa1111", "subnet-bbbb2222", "subnet-cccc3333", "subnet-aaaa1111"), runSubnets());
    }

    @Test
    public void capacityErrorRetriesInTheNextSubnet() throws Exception {
        f.server.failWhen("RunInstances", p -> "subnet-aaaa1111".equals(p.get("SubnetId")), 5, 500,
                "InsufficientInstanceCapacity");
        CloudInstance ci = f.driver.create(f.spec("spot", "a0"));
        assertEquals("subnet-bbbb2222", f.server.instance(ci.id()).subnet);
        assertEquals(List.of("subnet-aaaa1111", "subnet-bbbb2222"), runSubnets());
        // each zone bids its own price
        assertEquals(List.of("us-east-1a", "us-east-1b"),
                f.server.calls("DescribeSpotPriceHistory").stream().map(c -> c.get("AvailabilityZone")).toList());
        // the rejection is logged with its code
        assertTrue(log.all(), log.all().contains("spot request for agent a0 (template spot, subnet subnet-aaaa1111"));
        assertTrue(log.all(), log.all().contains("InsufficientInstanceCapacity (HTTP 500)"));
    }

    @Test
    public void noCapacityAnywhereIsCapacityForTheEngine() throws Exception {
        f.server.fail("RunInstances", 10, 500, "InsufficientInstanceCapacity");
        try {
            f.driver.create(f.spec("spot", "a0"));
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.CAPACITY, e.kind());
            assertEquals("InsufficientInstanceCapacity", e.code());
        }
        assertEquals(3, runSubnets().size());
        assertEquals(List.of("spot", "spot", "spot"), runMarkets());
    }

    @Test
    public void fallsBackToOnDemandWhenSpotCannotBeHad() throws Exception {
        f.use(List.of(Ec2Fixture.spot(Ec2Fixture.spotOptions().subnetIds(List.of("subnet-aaaa1111", "subnet-bbbb2222"))
                .spot(SpotSettings.averaged(1.15, 0.09, 0.02).withFallbackToOnDemand(true)))), c -> c);
        f.server.failWhen("RunInstances", p -> p.containsKey("InstanceMarketOptions.MarketType"), 10, 400,
                "SpotMaxPriceTooLow");
        CloudInstance ci = f.driver.create(f.spec("spot", "a0"));
        assertEquals(List.of("spot", "spot", "on-demand"), runMarkets());
        assertEquals(List.of("subnet-aaaa1111", "subnet-bbbb2222", "subnet-aaaa1111"), runSubnets());
        assertNull(f.server.instance(ci.id()).spotRequestId);
        assertTrue(log.all(), log.all().contains("falling back to on-demand"));
        assertTrue(log.all(), log.all().contains("SpotMaxPriceTooLow"));
    }

    @Test
    public void accountWideSpotLimitSkipsOtherZonesAndFallsBack() throws Exception {
        f.use(List.of(Ec2Fixture.spot(Ec2Fixture.spotOptions()
                .spot(SpotSettings.averaged(1.15, 0.09, 0.02).withFallbackToOnDemand(true)))), c -> c);
        f.server.fail("RunInstances", 1, 400, "MaxSpotInstanceCountExceeded");
        f.driver.create(f.spec("spot", "a0"));
        assertEquals(List.of("spot", "on-demand"), runMarkets());
    }

    @Test
    public void withoutFallbackTheSpotRejectionStands() throws Exception {
        f.server.fail("RunInstances", 1, 400, "MaxSpotInstanceCountExceeded");
        try {
            f.driver.create(f.spec("spot", "a0"));
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.CAPACITY, e.kind());
            assertEquals("MaxSpotInstanceCountExceeded", e.code());
        }
        assertEquals(List.of("spot"), runMarkets());
    }

    @Test
    public void aPermanentErrorIsNotRetriedElsewhere() throws Exception {
        f.server.fail("RunInstances", 1, 400, "InvalidParameterValue");
        try {
            f.driver.create(f.spec("spot", "a0"));
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.PERMANENT, e.kind());
        }
        assertEquals(1, runSubnets().size());
    }

    @Test
    public void unknownTemplateIsPermanent() {
        try {
            f.driver.create(f.spec("nope", "a0"));
            fail();
        } catch (CloudException e) {
            assertEquals(CloudException.Kind.PERMANENT, e.kind());
            assertTrue(e.getMessage().contains("no template named 'nope'"));
        }
    }
}
