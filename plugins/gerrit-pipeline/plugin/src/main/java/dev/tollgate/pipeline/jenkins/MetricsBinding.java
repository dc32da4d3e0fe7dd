package dev.tollgate.pipeline.jenkins;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import dev.tollgate.pipeline.gerrit.PipelineServer;
import dev.tollgate.pipeline.status.MetricsSnapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import jenkins.metrics.api.Metrics;

/**
 * The engines' metrics in the Metrics plugin's registry (and so at the Prometheus plugin's endpoint),
 * as gauges named {@code tollgate.<server>.<metric>}, e.g. {@code tollgate.review.pipeline.check.queue}.
 * Names come and go with pipelines and servers, so the gauges are brought in line with the engines'
 * snapshots on every sync. A gauge reads the server's latest snapshot, taken at most once per sync.
 */
final class MetricsBinding {
    private static final String PREFIX = "tollgate.";

    /** Latest snapshot per server, read by the gauges. */
    private final Map<String, MetricsSnapshot> latest = new ConcurrentHashMap<>();
    /** Names registered by this binding; guarded by this. */
    private final Set<String> registered = new HashSet<>();

    synchronized void sync(List<PipelineServer> servers) {
        MetricRegistry registry = Metrics.metricRegistry();
        Set<String> wanted = new HashSet<>();
        latest.keySet().retainAll(servers.stream().map(PipelineServer::name).toList());
        for (PipelineServer s : servers) {
            MetricsSnapshot snapshot = s.metrics();
            latest.put(s.name(), snapshot);
            for (String metric : names(snapshot)) {
                String name = PREFIX + s.name() + "." + metric.substring(metric.startsWith(PREFIX) ? PREFIX.length() : 0);
                wanted.add(name);
                if (registered.add(name)) {
                    String server = s.name();
                    registry.register(name, (Gauge<Long>) () -> {
                        MetricsSnapshot m = latest.get(server);
                        Long v = m == null ? null : m.get(metric);
                        return v == null ? 0L : v;
                    });
                }
            }
        }
        for (String name : Set.copyOf(registered)) {
            if (!wanted.contains(name)) {
                registry.remove(name);
                registered.remove(name);
            }
        }
    }

    private static Set<String> names(MetricsSnapshot m) {
        Set<String> out = new HashSet<>(m.counters().keySet());
        out.addAll(m.gauges().keySet());
        return out;
    }

    /** For tests: the registered gauges. */
    synchronized Map<String, Metric> gauges() {
        Map<String, Metric> out = new ConcurrentHashMap<>();
        Metrics.metricRegistry().getMetrics().forEach((k, v) -> {
            if (registered.contains(k)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
