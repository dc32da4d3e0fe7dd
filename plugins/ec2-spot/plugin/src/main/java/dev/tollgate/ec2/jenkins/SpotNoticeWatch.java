package dev.tollgate.ec2.jenkins;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.jenkins.TollgateAgent;
import dev.tollgate.ec2.SpotNoticeReader;
import hudson.Extension;
import hudson.model.Computer;
import hudson.model.PeriodicWork;
import hudson.remoting.VirtualChannel;
import hudson.slaves.Cloud;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import jenkins.model.Jenkins;
import org.kohsuke.accmod.Restricted;
import org.kohsuke.accmod.restrictions.NoExternalUse;

/**
 * Every {@link #PERIOD_SECONDS} seconds, asks each connected agent of a spot template to read its
 * instance's interruption notice ({@link ReadSpotNotice}, through the agent's channel, on
 * {@link Computer#threadPoolForRemoting}, never on this thread nor under the queue lock) and hands
 * the answer to the engine: a notice to {@link CloudEngine#interruptionNoticed} (the agent goes
 * offline with a cause saying so, its build is aborted and queued again, the instance is ended),
 * none to {@link CloudEngine#interruptionWatchReport} (the engine then asks EC2 nothing about it).
 * With a 15 s period and a 2 s read, an agent is offline well within 30 s of its notice; EC2 gives
 * two minutes. An agent whose read is still running is skipped, so a stuck channel never piles up
 * reads. Thread-safe.
 */
@Extension
public final class SpotNoticeWatch extends PeriodicWork {
    private static final Logger LOG = Logger.getLogger(SpotNoticeWatch.class.getName());
    static final long PERIOD_SECONDS = 15;

    private final Set<String> reading = ConcurrentHashMap.newKeySet();
    /** Where agents read notices: the instance metadata service; tests point it at a local one. */
    @Restricted(NoExternalUse.class)
    static volatile URI metadata = SpotNoticeReader.INSTANCE_METADATA;

    @Override
    public long getRecurrencePeriod() {
        return TimeUnit.SECONDS.toMillis(PERIOD_SECONDS);
    }

    @Override
    protected void doRun() {
        for (Cloud c : Jenkins.get().clouds) {
            if (c instanceof Ec2SpotCloud cloud) {
                watch(cloud);
            }
        }
    }

    /** One round for one cloud: a read per connected spot agent, each on the remoting pool; the reads started. */
    List<Future<?>> watch(Ec2SpotCloud cloud) {
        List<Future<?>> started = new ArrayList<>();
        Optional<CloudEngine> engine = cloud.engine();
        if (engine.isEmpty()) {
            return started;
        }
        Set<String> spotTemplates;
        try {
            spotTemplates = cloud.agentTemplates().stream().filter(t -> t.options().isSpot())
                    .map(AgentTemplate::name).collect(Collectors.toSet());
        } catch (IllegalArgumentException e) {
            return started; // an invalid configuration: the engine keeps the last good one and checks from EC2
        }
        for (TollgateAgent agent : cloud.agents()) {
            if (!spotTemplates.contains(agent.getTemplateName())) {
                continue;
            }
            Computer computer = agent.toComputer();
            VirtualChannel channel = computer == null ? null : computer.getChannel();
            String name = agent.getNodeName();
            if (channel == null || !reading.add(cloud.engineName() + "\n" + name)) {
                continue;
            }
            try {
                started.add(Computer.threadPoolForRemoting.submit(() -> read(engine.get(), cloud.engineName(), name, channel)));
            } catch (RejectedExecutionException e) {
                reading.remove(cloud.engineName() + "\n" + name);
            }
        }
        return started;
    }

    private void read(CloudEngine engine, String cloudName, String agentName, VirtualChannel channel) {
        try {
            String[] notice = channel.call(new ReadSpotNotice(metadata));
            if (notice == null) {
                engine.interruptionWatchReport(agentName);
            } else {
                engine.interruptionNoticed(agentName, Instant.parse(notice[1]), notice[0]);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException | RuntimeException e) {
            // no report: after the engine's report window the controller's batched EC2 check covers the agent
            LOG.log(Level.FINE, "cloud " + cloudName + ": no spot notice read on " + agentName, e);
        } finally {
            reading.remove(cloudName + "\n" + agentName);
        }
    }

    /** Reads still running (tests look at it). */
    int readsInFlight() {
        return reading.size();
    }

    /** For tests: the watch of this Jenkins. */
    static SpotNoticeWatch get() {
        return hudson.ExtensionList.lookupSingleton(SpotNoticeWatch.class);
    }
}
