package dev.tollgate.ec2;

import dev.tollgate.cloud.contract.CloudDriverContract;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException.Kind;
import dev.tollgate.cloud.port.Fingerprint;
import dev.tollgate.testing.ManualClock;
import dev.tollgate.testing.Peers;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** cloud-core's driver contract, run by the EC2 driver against the local EC2 Query API server. */
public class Ec2SpotDriverContractTest extends CloudDriverContract {

    @Override
    protected Subject open(ManualClock clock) throws Exception {
        FakeEc2Server server = new FakeEc2Server(clock);
        server.subnet("subnet-cccc3333", "us-east-1c");
        List<Ec2SpotDriver> drivers = new ArrayList<>();
        Function<URI, Ec2SpotDriver> driverFor = endpoint -> {
            Ec2CloudConfig config = Ec2CloudConfig.of("ec2", "us-east-1",
                    List.of(Ec2Fixture.onDemand(Ec2Fixture.onDemandOptions()))).withEndpoint(endpoint);
            Ec2SpotDriver d = new Ec2SpotDriver(config, new SdkEc2ClientFactory(() -> new Ec2Credentials.Keys(
                    "AKIAIOSFODNN7EXAMPLE", Ec2Fixture.AWS_SECRET, null), Duration.ofSeconds(60)), clock);
            drivers.add(d);
            return d;
        };
        Ec2SpotDriver driver = driverFor.apply(server.uri());
        return new Subject() {
            @Override
            public CloudDriver driver() {
                return driver;
            }

            @Override
            public String cloudName() {
                return "ec2";
            }

            @Override
            public String templateName() {
                return "ondemand";
            }

            @Override
            public String unknownInstanceId() {
                return "i-0fffffffffffffff0";
            }

            @Override
            public Set<String> liveInPeer(String controllerId) {
                return server.instances().stream()
                        .filter(i -> controllerId.equals(i.tags.get(Fingerprint.CONTROLLER)))
                        .filter(i -> !i.state.equals("terminated") && !i.state.equals("shutting-down"))
                        .map(i -> i.id).collect(Collectors.toSet());
            }

            @Override
            public String plantUnmarked() {
                return server.addInstance("running", Map.of("Name", "someones-own"));
            }

            @Override
            public CloudDriver unreachableDriver() {
                return driverFor.apply(URI.create("http://127.0.0.1:" + Peers.freePort()));
            }

            @Override
            public boolean failNext(Op op, Kind kind) {
                String action = switch (op) {
                    case CREATE -> "RunInstances";
                    case DESCRIBE, LIST -> "DescribeInstances";
                    case TERMINATE -> "TerminateInstances";
                };
                switch (kind) {
                    case THROTTLED -> server.fail(action, 1, 503, "RequestLimitExceeded");
                    case CAPACITY -> server.fail(action, 1, 500, "InsufficientInstanceCapacity");
                    case TRANSIENT -> server.fail(action, 1, 500, "InternalError");
                    case NOT_FOUND -> server.fail(action, 1, 400, "InvalidInstanceID.NotFound");
                    case PERMANENT -> server.fail(action, 1, 403, "UnauthorizedOperation");
                }
                return true;
            }

            @Override
            public void close() {
                drivers.forEach(Ec2SpotDriver::close);
                server.close();
            }
        };
    }
}
