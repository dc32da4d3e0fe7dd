package dev.tollgate.cloud;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A kind of agent a cloud can start: the engine's settings and the driver's own ({@link #options()}),
 * so each template of a cloud is one object (as one UI form or one YAML entry).
 *
 * @param name             unique within the cloud; letters, digits, '.', '_', '-'
 * @param labels           labels the agents offer
 * @param executors        executors per agent (default 1)
 * @param instanceCap      most instances of this template alive at once, requested ones included
 *                         (default unlimited; 0 pauses the template)
 * @param buildWaitTimeout Buildbot's build_wait_timeout: how long an agent waits idle for another build
 *                         before it is ended. 0 = end right after its build (one build per instance);
 *                         negative = never end it for idleness. Default 10 minutes.
 * @param missingTimeout   an instance whose agent has not connected this long after the request is
 *                         counted as failed and ended. Default 20 minutes.
 * @param maxUses          end the agent after this many builds; 0 = no limit
 * @param namePattern      how agents are named, e.g. {@code aws/fedora-20/zfs-head/{n}}; null =
 *                         {@link AgentNamePattern#DEFAULT} ({@code {cloud}-{template}-{id}}); see
 *                         {@link AgentNamePattern} for the placeholders ('/' becomes '-')
 * @param options          the cloud driver's settings for this template (image, instance type...);
 *                         {@link DriverOptions#NONE} when the driver needs none
 * @param <O>              the driver's options type, e.g. EC2's
 */
public record AgentTemplate<O extends DriverOptions>(String name, Set<String> labels, int executors, int instanceCap,
                                                     Duration buildWaitTimeout, Duration missingTimeout, int maxUses,
                                                     String namePattern, O options) {

    public static final Duration DEFAULT_BUILD_WAIT_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_MISSING_TIMEOUT = Duration.ofMinutes(20);
    public static final int UNLIMITED = Integer.MAX_VALUE;
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,39}");
    private static final Pattern LABEL = Pattern.compile("[^\\s&|!()]+");

    public AgentTemplate {
        Objects.requireNonNull(name, "name");
        labels = labels == null ? Set.of() : Set.copyOf(labels);
        Objects.requireNonNull(options, "options (DriverOptions.NONE when the driver needs none)");
        List<String> problems = problems(name, labels, executors, instanceCap, buildWaitTimeout, missingTimeout, maxUses);
        problems.addAll(AgentNamePattern.problems(namePattern));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("template '" + name + "': " + String.join("; ", problems));
        }
    }

    /** A template without driver options; {@link Builder#options} adds them. */
    public static Builder<DriverOptions.None> builder(String name) {
        return new Builder<>(name, DriverOptions.NONE);
    }

    /** Whether agents of this template carry the label; a null label (unlabeled demand) matches any template. */
    public boolean offers(String label) {
        return label == null || labels.contains(label);
    }

    /** True when the agent is ended right after its (first) build: one build per instance. */
    public boolean oneBuildPerInstance() {
        return buildWaitTimeout.isZero() || maxUses == 1;
    }

    private static List<String> problems(String name, Set<String> labels, int executors, int instanceCap,
                                         Duration buildWait, Duration missing, int maxUses) {
        List<String> p = new ArrayList<>();
        if (!NAME.matcher(name).matches()) {
            p.add("name must be 1-40 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        for (String l : labels) {
            if (l == null || !LABEL.matcher(l).matches()) {
                p.add("label '" + l + "' must be one word without spaces or any of & | ! ( )");
            }
        }
        if (executors < 1) {
            p.add("executors must be at least 1, was " + executors);
        }
        if (instanceCap < 0) {
            p.add("instanceCap must be 0 or more, was " + instanceCap);
        }
        if (buildWait == null) {
            p.add("buildWaitTimeout is required (0 = one build per instance, negative = never)");
        }
        if (missing == null || missing.isNegative() || missing.isZero()) {
            p.add("missingTimeout must be positive, was " + missing);
        }
        if (maxUses < 0) {
            p.add("maxUses must be 0 (no limit) or more, was " + maxUses);
        }
        return p;
    }

    public static final class Builder<O extends DriverOptions> {
        private final String name;
        private final Set<String> labels = new LinkedHashSet<>();
        private int executors = 1;
        private int instanceCap = UNLIMITED;
        private Duration buildWaitTimeout = DEFAULT_BUILD_WAIT_TIMEOUT;
        private Duration missingTimeout = DEFAULT_MISSING_TIMEOUT;
        private int maxUses;
        private String namePattern;
        private final O options;

        private Builder(String name, O options) {
            this.name = name;
            this.options = options;
        }

        public Builder<O> labels(String... l) { labels.addAll(List.of(l)); return this; }
        public Builder<O> labels(Collection<String> l) { labels.addAll(l); return this; }
        public Builder<O> executors(int v) { executors = v; return this; }
        public Builder<O> instanceCap(int v) { instanceCap = v; return this; }
        public Builder<O> buildWaitTimeout(Duration v) { buildWaitTimeout = v; return this; }
        public Builder<O> missingTimeout(Duration v) { missingTimeout = v; return this; }
        public Builder<O> maxUses(int v) { maxUses = v; return this; }
        /** See {@link AgentNamePattern}; null = {@link AgentNamePattern#DEFAULT}. */
        public Builder<O> namePattern(String v) { namePattern = v; return this; }

        /** The cloud driver's settings for this template; the builder takes their type. */
        public <P extends DriverOptions> Builder<P> options(P v) {
            Builder<P> b = new Builder<>(name, v);
            b.labels.addAll(labels);
            b.executors = executors;
            b.instanceCap = instanceCap;
            b.buildWaitTimeout = buildWaitTimeout;
            b.missingTimeout = missingTimeout;
            b.maxUses = maxUses;
            b.namePattern = namePattern;
            return b;
        }

        public AgentTemplate<O> build() {
            return new AgentTemplate<>(name, labels, executors, instanceCap, buildWaitTimeout, missingTimeout, maxUses,
                    namePattern, options);
        }
    }
}
