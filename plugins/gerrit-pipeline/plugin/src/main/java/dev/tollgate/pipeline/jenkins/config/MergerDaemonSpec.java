package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.MergerConfig;
import dev.tollgate.pipeline.layout.MergerDaemonConfig;
import hudson.Extension;
import hudson.model.Describable;
import hudson.util.FormValidation;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * The merger's git daemon: {@code merger: daemon:}. Mirrors {@link MergerDaemonConfig} key for key;
 * absent means no daemon (agents fetch over Jenkins' own URL).
 */
public final class MergerDaemonSpec implements Describable<MergerDaemonSpec> {
    private final String address;
    private int port = 9418;
    private final List<String> allowedNetworks;

    @DataBoundConstructor
    public MergerDaemonSpec(String address, List<String> allowedNetworks) {
        this.address = Specs.text(address);
        this.allowedNetworks = allowedNetworks == null ? new ArrayList<>() : new ArrayList<>(allowedNetworks);
    }

    public String getAddress() {
        return address;
    }

    public int getPort() {
        return port;
    }

    @DataBoundSetter
    public void setPort(int port) {
        this.port = port;
    }

    public List<String> getAllowedNetworks() {
        return allowedNetworks;
    }

    public MergerDaemonConfig toRecord() {
        return new MergerDaemonConfig(address, port, allowedNetworks);
    }

    @Extension
    @Symbol("mergerDaemon")
    public static final class DescriptorImpl extends SpecDescriptor<MergerDaemonSpec> {
        @Override
        public String getDisplayName() {
            return "git daemon";
        }

        public FormValidation doCheckAddress(@QueryParameter String value) {
            if (value == null || value.isBlank()) {
                return FormValidation.error("Required: the address on the agents' network to listen on");
            }
            String bad = MergerConfig.addressProblem(value.strip());
            return bad == null ? FormValidation.ok() : FormValidation.error(bad + " (a literal address, e.g. 10.0.0.5)");
        }

        public FormValidation doCheckPort(@QueryParameter int value) {
            return value >= 1 && value <= 65535 ? FormValidation.ok() : FormValidation.error("A port from 1 to 65535");
        }

        public FormValidation doCheckAllowedNetworks(@QueryParameter String value) {
            if (value == null || value.isBlank()) {
                return FormValidation.error("Required: the networks whose agents may fetch, one CIDR per line");
            }
            int n = 0;
            for (String line : value.split("\r?\n")) {
                n++;
                if (!line.isBlank()) {
                    String bad = MergerConfig.cidrProblem(line.strip());
                    if (bad != null) {
                        return FormValidation.error("Line " + n + ": " + bad);
                    }
                }
            }
            return FormValidation.ok();
        }
    }
}
