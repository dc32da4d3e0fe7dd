package dev.tollgate.lxd.jenkins;

import dev.tollgate.cloud.jenkins.TollgateCloud;
import java.util.List;
import org.jvnet.hudson.test.JenkinsRule;

/** The tests' LXD clouds: the test driver instead of LXD, agents launched as local processes. */
final class LxdClouds {
    private LxdClouds() {
    }

    /** The plugin builds its driver's configuration as always and hands it to {@link LocalLxdDriver}. */
    static void localDriverAndAgents(JenkinsRule r) {
        LocalLxdDriver.reset();
        LxdCloud.driversForTests = LocalLxdDriver::new;
        TollgateCloud.launchersForTests = () -> {
            try {
                return r.createComputerLauncher(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    static void reset() {
        LxdCloud.driversForTests = null;
        TollgateCloud.launchersForTests = null;
    }

    /**
     * Babune's cloud: the local socket, one template of fresh ephemeral containers, label lxd, agents
     * lxd-debian-12-0, -1, ..., one build each ({@code buildWaitTimeoutSeconds} 0, the default).
     */
    static LxdCloud babune(String remoteFs) {
        LxdTemplate t = new LxdTemplate("debian-12", "lxd debian-12", "debian-12-ci");
        t.setNamePattern("lxd/debian-12/{n}");
        t.setProfiles(List.of("default", "ci"));
        t.setConfig(List.of(new LxdConfigEntry("limits.cpu", "2")));
        LxdDevice cache = new LxdDevice("cache", "disk");
        cache.setOptions(List.of(new LxdConfigEntry("path", "/cache"), new LxdConfigEntry("source", "/srv/ci-cache")));
        t.setDevices(List.of(cache));
        t.setAgentCommand(List.of("/bin/sh", "-c", "exec java -jar /tmp/agent.jar -name \"$JENKINS_AGENT_NAME\""));
        t.setAgentUser(1000);
        t.setRemoteFs(remoteFs);
        LxdCloud cloud = new LxdCloud("lxd", List.of(t));
        cloud.setSocketPath("/var/lib/lxd/unix.socket");
        cloud.setProject("ci");
        return cloud;
    }
}
