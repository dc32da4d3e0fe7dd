package dev.tollgate.libvirt.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentState;
import dev.tollgate.cloud.CloudEngine;
import dev.tollgate.cloud.jenkins.CloudRuntime;
import dev.tollgate.cloud.jenkins.TollgateAgent;
import dev.tollgate.cloud.jenkins.TollgateCloud;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Node;
import hudson.slaves.Cloud;
import hudson.slaves.NodeProvisioner.PlannedNode;
import java.util.Collection;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The libvirt cloud end to end through Jenkins, on libvirt's test hypervisor ({@code test:///default}:
 * real libvirt that defines, starts and destroys domains, without guests). The test holds a
 * connection of its own for the whole test: the test hypervisor's state lives while one is open, and
 * through it the test sees the domains the cloud makes. A build on the template's label makes a
 * domain named after its agent; the agent itself is launched as a local process (the test domains run
 * nothing), runs the build, and the retention rules end the domain. Endings are driven by the
 * engine's {@code tick()}, never waited for on a timer.
 */
public class LibvirtProvisioningTest {
    static final String XML = "<domain type='test'><name>{{name}}</name><memory unit='MiB'>{{memoryMib}}</memory>"
            + "<vcpu>{{vcpus}}</vcpu><os><type>hvm</type></os></domain>";

    @Rule
    public JenkinsRule r = new JenkinsRule();

    private Connect host;

    @Before
    public void testHypervisor() throws Exception {
        host = new Connect("test:///default", false);
        r.jenkins.setNumExecutors(0); // nothing runs on the controller: the build needs the cloud
    }

    @After
    public void close() throws Exception {
        TollgateCloud.launchersForTests = null;
        host.close();
    }

    static LibvirtCloud cloud(int buildWaitTimeoutSeconds) {
        LibvirtTemplate t = new LibvirtTemplate("debian", "kvm debian");
        t.setDomainXml(XML);
        t.setMemoryMib(256);
        t.setNamePattern("kvm/debian/{n}");
        t.setBuildWaitTimeoutSeconds(buildWaitTimeoutSeconds);
        LibvirtCloud cloud = new LibvirtCloud("kvm", "test:///default", List.of(t));
        cloud.setShutdownTimeoutSeconds(0);
        return cloud;
    }

    private String domainXml(String name) throws LibvirtException {
        Domain d = host.domainLookupByName(name);
        try {
            return d.getXMLDesc(0);
        } finally {
            d.free();
        }
    }

    private boolean domainExists(String name) {
        try {
            host.domainLookupByName(name).free();
            return true;
        } catch (LibvirtException e) {
            return false;
        }
    }

    @Test
    public void aBuildOnTheLabelMakesADomainRunsOnItsAgentAndTheDomainEnds() throws Exception {
        TollgateCloud.launchersForTests = () -> {
            try {
                return r.createComputerLauncher(null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        LibvirtCloud cloud = cloud(0); // one build per domain
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();

        FreeStyleProject p = r.createFreeStyleProject();
        p.setAssignedLabel(r.jenkins.getLabel("kvm"));
        FreeStyleBuild b = r.buildAndAssertSuccess(p);
        assertTrue("built on the cloud's agent", b.getBuiltOn() instanceof TollgateAgent);
        String agent = b.getBuiltOn().getNodeName();
        assertEquals("the template's name pattern, '/' as '-'", "kvm-debian-0", agent);
        assertEquals("the domain is the agent's", agent, engine.record(agent).orElseThrow().instanceId());
        assertTrue("the domain carries the fingerprint", domainXml(agent).contains("agent=\"" + agent + "\""));

        r.waitUntilNoActivity();
        engine.tick(); // buildWaitTimeout 0: ended after its one build
        assertNull("agent removed", r.jenkins.getNode(agent));
        engine.tick();
        assertEquals(AgentState.TERMINATED, engine.record(agent).orElseThrow().state());
        assertFalse("the transient domain is gone", domainExists(agent));
    }

    @Test
    public void aDomainWhoseAgentNeverConnectsCarriesItsSecretAndEndsWhenTheAgentIsDeleted() throws Exception {
        LibvirtCloud cloud = cloud(600);
        r.jenkins.clouds.add(cloud);
        CloudRuntime.get().awaitRefreshed();
        CloudEngine engine = cloud.engine().orElseThrow();

        // Jenkins' provisioner asks the cloud; the planned node completes once the domain was made
        Collection<PlannedNode> planned = cloud.provision(new Cloud.CloudState(r.jenkins.getLabel("debian"), 0), 1);
        assertEquals(1, planned.size());
        Node node = planned.iterator().next().future.get();
        assertTrue(node instanceof TollgateAgent);
        String agent = node.getNodeName();
        AgentRecord rec = engine.record(agent).orElseThrow();
        assertEquals("the inbound agent has not connected", AgentState.PENDING, rec.state());
        String xml = domainXml(agent);
        assertTrue("the guest gets its name and secret as SMBIOS OEM strings", xml.contains("tollgate:JENKINS_SECRET=")
                && xml.contains("tollgate:JENKINS_AGENT_NAME=" + agent));

        ((TollgateAgent) node).terminate(); // a person deletes the agent (what its computer's Delete does)
        engine.tick();
        assertNull("agent removed", r.jenkins.getNode(agent));
        assertFalse("the domain ended with its agent", domainExists(agent));
        AgentState end = engine.record(agent).orElseThrow().state();
        if (end != AgentState.TERMINATED) {
            fail("the record ended: " + end);
        }
    }
}
