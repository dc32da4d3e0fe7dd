package dev.tollgate.gearman.jenkins.config;

import dev.tollgate.gearman.GearmanConnectionTester;
import dev.tollgate.gearman.GearmanServerAddress;
import dev.tollgate.gearman.config.GearmanServerConfig;
import dev.tollgate.gearman.config.GearmanSettings;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/** One Gearman job server (Zuul's gearmand). Mirrors {@link GearmanServerConfig} key for key. */
public final class GearmanServer implements Describable<GearmanServer> {
    /** How long "Test connection" waits for the connection and for the echo. */
    static final Duration TEST_TIMEOUT = Duration.ofSeconds(5);

    private final String host;
    private int port = GearmanServerAddress.DEFAULT_PORT;

    @DataBoundConstructor
    public GearmanServer(String host) {
        this.host = host == null ? null : host.strip();
    }

    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }

    @DataBoundSetter
    public void setPort(int port) {
        this.port = port;
    }

    public GearmanServerConfig toRecord() {
        return new GearmanServerConfig(host, port);
    }

    @Override
    public String toString() {
        return toRecord().toString();
    }

    @Extension
    @Symbol("gearmanServer")
    public static final class DescriptorImpl extends Descriptor<GearmanServer> {
        @Override
        public String getDisplayName() {
            return "Gearman server";
        }

        public int getDefaultPort() {
            return GearmanServerAddress.DEFAULT_PORT;
        }

        public FormValidation doCheckHost(@QueryParameter String value) {
            return check(value, getDefaultPort(), "host");
        }

        public FormValidation doCheckPort(@QueryParameter String value) {
            Integer port = port(value);
            return port == null ? FormValidation.error("Expected a port from 1 to 65535") : check("localhost", port, "port");
        }

        /** Connects to the server and has it echo a few bytes: it is reachable and speaks Gearman. */
        @POST
        public FormValidation doTestConnection(@QueryParameter String host, @QueryParameter String port) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            Integer p = port(port);
            if (p == null) {
                return FormValidation.error("Expected a port from 1 to 65535");
            }
            FormValidation problem = check(host, p, null);
            if (problem.kind != FormValidation.Kind.OK) {
                return problem;
            }
            GearmanServerAddress server = new GearmanServer(host).withPort(p).toRecord().address();
            try {
                Duration rtt = GearmanConnectionTester.echo(server, TEST_TIMEOUT);
                return FormValidation.ok("Connected: " + server + " answered the echo in " + rtt.toMillis() + " ms");
            } catch (IOException e) {
                return FormValidation.error("Cannot reach Gearman server " + server + ": " + e.getMessage());
            }
        }

        /** The section's rules on one server; {@code key} null: every key's problem. */
        private static FormValidation check(String host, int port, String key) {
            GearmanServer s = new GearmanServer(host).withPort(port);
            for (String problem : new GearmanSettings(false, List.of(s.toRecord())).problems()) {
                String k = problem.substring("servers[0].".length(), problem.indexOf(':'));
                if (key == null || key.equals(k)) {
                    return FormValidation.error(key == null ? problem.substring("servers[0].".length())
                            : problem.substring(problem.indexOf(':') + 2));
                }
            }
            return FormValidation.ok();
        }

        private static Integer port(String value) {
            try {
                return value == null || value.isBlank() ? GearmanServerAddress.DEFAULT_PORT : Integer.valueOf(value.strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private GearmanServer withPort(int p) {
        setPort(p);
        return this;
    }
}
