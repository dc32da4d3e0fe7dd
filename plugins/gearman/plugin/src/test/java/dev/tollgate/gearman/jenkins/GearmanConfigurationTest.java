package dev.tollgate.gearman.jenkins;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.tollgate.gearman.config.GearmanServerConfig;
import dev.tollgate.gearman.config.GearmanSettings;
import dev.tollgate.gearman.jenkins.config.GearmanConfiguration;
import dev.tollgate.gearman.jenkins.config.GearmanServer;
import dev.tollgate.testing.GearmandServer;
import dev.tollgate.testing.Peers;
import hudson.model.User;
import hudson.security.ACL;
import hudson.security.ACLContext;
import hudson.util.FormValidation;
import java.util.List;
import jenkins.model.Jenkins;
import org.htmlunit.FailingHttpStatusCodeException;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.springframework.security.access.AccessDeniedException;

/** The global configuration survives the web form, is refused when invalid, and tests a server. */
public class GearmanConfigurationTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    private static GearmanServer server(String host, int port) {
        GearmanServer s = new GearmanServer(host);
        s.setPort(port);
        return s;
    }

    @Test
    public void theFormKeepsEveryValue() throws Exception {
        GearmanConfiguration c = GearmanConfiguration.get();
        c.setServers(List.of(server("zuul.invalid", 4730), server("::1", 4731)));
        c.setEnabled(true);
        GearmanSettings before = c.toSettings();
        assertEquals(new GearmanSettings(true, List.of(new GearmanServerConfig("zuul.invalid", 4730),
                new GearmanServerConfig("::1", 4731))), before);
        r.configRoundtrip();
        assertEquals(before, GearmanConfiguration.get().toSettings());

        c.setEnabled(false);
        c.setServers(List.of());
        r.configRoundtrip();
        assertEquals(new GearmanSettings(false, List.of()), GearmanConfiguration.get().toSettings());
    }

    @Test
    public void anInvalidFormIsRefusedWhole() throws Exception {
        GearmanConfiguration c = GearmanConfiguration.get();
        c.setEnabled(true); // and no server: the setters take it, the runtime does not apply it
        assertEquals(List.of("servers: at least one server is needed when enabled is true"), c.toSettings().problems());
        assertThrows(FailingHttpStatusCodeException.class, () -> r.configRoundtrip());
        assertTrue("what was saved stays", GearmanConfiguration.get().isEnabled());
        assertNull("and the worker stays off", GearmanRuntime.get().status());
    }

    @Test
    public void testConnectionEchoesWithTheServer() throws Exception {
        GearmanServer.DescriptorImpl d = r.jenkins.getDescriptorByType(GearmanServer.DescriptorImpl.class);
        try (GearmandServer gearmand = GearmandServer.start()) {
            FormValidation ok = d.doTestConnection(gearmand.host(), Integer.toString(gearmand.port()));
            assertEquals(ok.renderHtml(), FormValidation.Kind.OK, ok.kind);
            assertTrue(ok.renderHtml(), ok.renderHtml().contains("answered the echo"));
        }
        FormValidation closed = d.doTestConnection("127.0.0.1", Integer.toString(Peers.freePort()));
        assertEquals(FormValidation.Kind.ERROR, closed.kind);
        assertTrue(closed.renderHtml(), closed.renderHtml().contains("Cannot reach Gearman server 127.0.0.1:"));
        assertEquals(FormValidation.Kind.ERROR, d.doTestConnection("zuul.invalid:4730", "4730").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doTestConnection("zuul.invalid", "http").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckHost("http://zuul/").kind);
        assertEquals(FormValidation.Kind.OK, d.doCheckHost("zuul.example.org").kind);
        assertEquals(FormValidation.Kind.ERROR, d.doCheckPort("0").kind);
    }

    @Test
    public void onlyAnAdministratorTestsAConnection() throws Exception {
        r.jenkins.setSecurityRealm(r.createDummySecurityRealm());
        r.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.READ).everywhere().to("reader").grant(Jenkins.ADMINISTER).everywhere().to("admin"));
        GearmanServer.DescriptorImpl d = r.jenkins.getDescriptorByType(GearmanServer.DescriptorImpl.class);
        try (ACLContext ignored = ACL.as2(User.getById("reader", true).impersonate2())) {
            assertThrows(AccessDeniedException.class, () -> d.doTestConnection("127.0.0.1", "4730"));
        }
        try (ACLContext ignored = ACL.as2(User.getById("admin", true).impersonate2())) {
            assertFalse(d.doTestConnection("127.0.0.1", Integer.toString(Peers.freePort())).kind == FormValidation.Kind.OK);
        }
    }
}
