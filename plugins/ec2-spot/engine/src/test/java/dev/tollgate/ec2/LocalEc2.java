package dev.tollgate.ec2;

import dev.tollgate.testing.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The engine's local EC2 Query API server and instance metadata service, for tests outside this
 * package (the Jenkins plugin's): start them, describe what the account holds, and look at the
 * instances and calls. The servers listen on port 0 of the loopback address. Thread-safe as the
 * servers are.
 */
public final class LocalEc2 implements AutoCloseable {
    private final FakeEc2Server ec2;
    private final FakeInstanceMetadata metadata;

    public LocalEc2() throws IOException {
        this.ec2 = new FakeEc2Server(new ManualClock());
        this.metadata = new FakeInstanceMetadata();
    }

    /** The EC2 endpoint, for the cloud's {@code endpoint}. */
    public URI endpoint() {
        return ec2.uri();
    }

    /** The metadata service, standing for 169.254.169.254 on the agent. */
    public URI metadata() {
        return metadata.uri();
    }

    public LocalEc2 subnet(String id, String zone) {
        ec2.subnet(id, zone);
        return this;
    }

    public LocalEc2 securityGroup(String id, String name) {
        ec2.securityGroup(id, name);
        return this;
    }

    public LocalEc2 image(String id, String name, String owner, String creationDate, Map<String, String> tags) {
        ec2.image(id, "images/" + name, name, owner, creationDate, tags);
        return this;
    }

    public LocalEc2 price(String type, String zone, String usd, Instant at) {
        ec2.price(type, zone, usd, at);
        return this;
    }

    /** Instances not terminated (pending, running, shutting down). */
    public long liveInstances() {
        return ec2.liveCount();
    }

    /** Ids of every instance ever created here. */
    public List<String> instanceIds() {
        return ec2.instances().stream().map(i -> i.id).toList();
    }

    /** The agent name an instance's fingerprint carries. */
    public String agentOf(String instanceId) {
        return ec2.instance(instanceId).tags.get(dev.tollgate.cloud.port.Fingerprint.AGENT);
    }

    /** Calls of one action made so far (RunInstances, TerminateInstances, ...). */
    public int calls(String action) {
        return ec2.calls(action).size();
    }

    /** Sets a spot interruption notice on the metadata service: terminate at {@code when}. */
    public void noticeTerminateAt(Instant when) {
        metadata.noticeJson = "{\"action\":\"terminate\",\"time\":\"" + when + "\"}";
    }

    @Override
    public void close() {
        ec2.close();
        metadata.close();
    }
}
