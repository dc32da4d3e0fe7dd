package dev.tollgate.ec2;

import dev.tollgate.cloud.port.CloudException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** The one place API calls go through: counted per action, SDK errors mapped to {@link CloudException}. */
final class Ec2Calls {
    private final Ec2Client client;
    private final ConcurrentHashMap<String, AtomicLong> counts = new ConcurrentHashMap<>();

    Ec2Calls(Ec2Client client) {
        this.client = client;
    }

    <T> T call(String action, Function<Ec2Client, T> f) throws CloudException {
        counts.computeIfAbsent(action, k -> new AtomicLong()).incrementAndGet();
        try {
            return f.apply(client);
        } catch (SdkException e) {
            throw Ec2Errors.map(action, e);
        }
    }

    Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    Ec2Client client() {
        return client;
    }
}
