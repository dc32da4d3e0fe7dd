package dev.tollgate.ec2;

import software.amazon.awssdk.services.ec2.Ec2Client;

/** Port: how the driver gets its SDK client (tests point one at a local EC2 Query API server). */
@FunctionalInterface
public interface Ec2ClientFactory {
    Ec2Client open(Ec2CloudConfig config);
}
