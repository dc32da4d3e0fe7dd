package dev.tollgate.cloud.config;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.DriverOptions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The keys every cloud's template record has, in the same words and units: a template record
 * implements this with its own components, so its JCasC keys stay flat. {@link #agentTemplate} maps
 * them to the engine's {@link AgentTemplate}.
 */
public interface CloudTemplateSpec {
    /** Unique in the cloud. */
    String name();

    /** The agents' labels, separated by spaces. */
    String labels();

    /** Per agent. */
    int executors();

    /** Most agents of this template at once; null = no cap of its own. */
    Integer instanceCap();

    /** Buildbot's build_wait_timeout: 0 = after one build; negative = never for idleness. */
    int buildWaitTimeoutSeconds();

    /** Not connected this long after the start, the attempt has failed. */
    int missingTimeoutSeconds();

    /** End the agent after this many builds; 0 = no limit. */
    int maxUses();

    /** See {@code AgentNamePattern}; null = the default. */
    String namePattern();

    /**
     * The engine's template of the common keys and the driver's options; IllegalArgumentException
     * names what cloud-core refuses.
     */
    static <O extends DriverOptions> AgentTemplate<O> agentTemplate(CloudTemplateSpec t, O options) {
        return AgentTemplate.builder(t.name())
                .labels(t.labels() == null ? List.of() : Arrays.stream(t.labels().trim().split("\\s+"))
                        .filter(l -> !l.isEmpty()).toList())
                .executors(t.executors())
                .instanceCap(t.instanceCap() == null ? AgentTemplate.UNLIMITED : t.instanceCap())
                .buildWaitTimeout(Duration.ofSeconds(t.buildWaitTimeoutSeconds()))
                .missingTimeout(Duration.ofSeconds(t.missingTimeoutSeconds()))
                .maxUses(t.maxUses())
                .namePattern(t.namePattern())
                .options(options)
                .build();
    }
}
