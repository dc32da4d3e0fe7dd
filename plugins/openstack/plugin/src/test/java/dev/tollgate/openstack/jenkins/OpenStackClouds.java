package dev.tollgate.openstack.jenkins;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import dev.tollgate.cloud.jenkins.TollgateCloud;
import java.util.List;
import org.jvnet.hudson.test.JenkinsRule;

/** The tests' OpenStack clouds: the test driver instead of OpenStack, agents launched as local processes. */
final class OpenStackClouds {
    static final String CREDENTIALS = "openstack-ci";
    static final String PASSWORD = "not-a-real-password";

    private OpenStackClouds() {
    }

    /** The plugin builds its driver's configuration as always and hands it to {@link LocalOpenStackDriver}. */
    static void localDriverAndAgents(JenkinsRule r) throws Exception {
        LocalOpenStackDriver.reset();
        OpenStackCloud.driversForTests = LocalOpenStackDriver::new;
        TollgateCloud.launchersForTests = () -> {
            try {
                return r.createComputerLauncher(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        SystemCredentialsProvider.getInstance().getCredentials().add(new UsernamePasswordCredentialsImpl(
                CredentialsScope.SYSTEM, CREDENTIALS, "Keystone user", "ci-user", PASSWORD));
        SystemCredentialsProvider.getInstance().save();
    }

    static void reset() {
        OpenStackCloud.driversForTests = null;
        TollgateCloud.launchersForTests = null;
    }

    /**
     * An OpenStack-hosted CI's cloud: one template of fresh servers (label openstack, agents
     * os-debian-12-0, -1, ..., one build each), the image chosen by a rule, a floating IP each.
     */
    static OpenStackCloud ci(String remoteFs) {
        OpenStackImage image = new OpenStackImage();
        image.setNameRegex("^debian-12-");
        image.setProperties(List.of(new OpenStackProperty("tollgate_role", "agent")));
        image.setOrder("NEWEST");
        OpenStackTemplate t = new OpenStackTemplate("debian-12", "openstack debian-12", "m1.large", image);
        t.setNamePattern("os/debian-12/{n}");
        t.setNetworks(List.of("ci-agents"));
        t.setSecurityGroups(List.of("default"));
        t.setKeyPair("ci");
        t.setFloatingIpPool("public");
        t.setMetadata(List.of(new OpenStackProperty("purpose", "ci-agent")));
        t.setUserData("#!/bin/sh\nexec agent {{JENKINS_URL}} {{JENKINS_SECRET}} {{JENKINS_AGENT_NAME}}\n");
        t.setRemoteFs(remoteFs);
        OpenStackCloud cloud = new OpenStackCloud("openstack", "https://keystone.example.org:5000/v3", CREDENTIALS, List.of(t));
        cloud.setProject("ci");
        cloud.setRegion("RegionOne");
        cloud.setMaxConcurrentBoots(2);
        return cloud;
    }
}
