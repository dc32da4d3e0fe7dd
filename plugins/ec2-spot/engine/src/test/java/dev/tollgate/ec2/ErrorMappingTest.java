package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.testing.Peers;
import org.junit.After;
import org.junit.Test;

import java.net.URI;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.fail;

/** EC2 error codes, as the real SDK receives them, onto the engine's kinds; no hidden SDK retries. */
public class ErrorMappingTest {
    private final Ec2Fixture f = new Ec2Fixture();

    public ErrorMappingTest() throws Exception {}

    @After
    public void close() {
        f.close();
    }

    private CloudException describeFailing(int status, String code) {
        f.server.clearCalls();
        f.server.fail("DescribeInstances", 1, status, code);
        try {
            f.driver.listOwned(Ec2Fixture.CONTROLLER);
            throw new AssertionError("no error for " + code);
        } catch (CloudException e) {
            assertEquals("one call, no SDK retry, for " + code, 1, f.server.calls("DescribeInstances").size());
            if (status != 401) {
                // the JDK's HttpURLConnection swallows 401 bodies: AuthFailure arrives as a bare HTTP 401
                assertEquals(e.kind() + " " + e.getMessage(), code, e.code());
            }
            return e;
        }
    }

    @Test
    public void codesMapToKinds() {
        assertEquals(Kind.THROTTLED, describeFailing(503, "RequestLimitExceeded").kind());
        assertEquals(Kind.THROTTLED, describeFailing(400, "Throttling").kind());
        assertEquals(Kind.CAPACITY, describeFailing(500, "InsufficientInstanceCapacity").kind());
        assertEquals(Kind.CAPACITY, describeFailing(400, "InstanceLimitExceeded").kind());
        assertEquals(Kind.CAPACITY, describeFailing(400, "VcpuLimitExceeded").kind());
        assertEquals(Kind.NOT_FOUND, describeFailing(400, "InvalidInstanceID.NotFound").kind());
        assertEquals(Kind.TRANSIENT, describeFailing(500, "InternalError").kind());
        assertEquals(Kind.TRANSIENT, describeFailing(503, "Unavailable").kind());
        assertEquals(Kind.TRANSIENT, describeFailing(502, "SomethingNew").kind());
        assertEquals(Kind.PERMANENT, describeFailing(401, "AuthFailure").kind());
        assertEquals(Kind.PERMANENT, describeFailing(403, "UnauthorizedOperation").kind());
        assertEquals(Kind.PERMANENT, describeFailing(400, "InvalidParameterValue").kind());
        assertEquals(Kind.PERMANENT, describeFailing(400, "InvalidAMIID.NotFound").kind());
    }

    @Test
    public void throttledLaunchSurfacesAsThrottledAfterOneCall() {
        f.server.fail("RunInstances", 1, 503, "RequestLimitExceeded");
        try {
            f.driver.create(f.spec("ondemand", "a0"));
            fail();
        } catch (CloudException e) {
            assertEquals(Kind.THROTTLED, e.kind());
        }
        assertEquals(1, f.server.calls("RunInstances").size());
    }

    @Test
    public void unreachableEndpointIsTransient() {
        int port = Peers.freePort();
        f.use(List.of(Ec2Fixture.onDemand(Ec2Fixture.onDemandOptions())), c -> c.withEndpoint(URI.create("http://127.0.0.1:" + port)));
        try {
            f.driver.describe(List.of("i-0123456789abcdef0"));
            fail();
        } catch (CloudException e) {
            assertEquals(Kind.TRANSIENT, e.kind());
            assertNull(e.code());
        }
    }

    @Test
    public void kindTableAlone() {
        assertEquals(Kind.THROTTLED, Ec2Errors.kindOf(null, 429));
        assertEquals(Kind.TRANSIENT, Ec2Errors.kindOf(null, 500));
        assertEquals(Kind.PERMANENT, Ec2Errors.kindOf(null, 400));
        assertEquals(Kind.CAPACITY, Ec2Errors.kindOf("SpotMaxPriceTooLow", 400));
        assertEquals(Kind.CAPACITY, Ec2Errors.kindOf("MaxSpotInstanceCountExceeded", 400));
        assertEquals(Kind.CAPACITY, Ec2Errors.kindOf("InsufficientFreeAddressesInSubnet", 400));
        assertEquals(Kind.NOT_FOUND, Ec2Errors.kindOf("InvalidSpotInstanceRequestID.NotFound", 400));
    }
}
