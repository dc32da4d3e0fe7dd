package dev.tollgate.libvirt.jenkins;

import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.jenkins.CommonKeysCloud;
import dev.tollgate.cloud.jenkins.ConnectionTests;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.libvirt.ConnectionReport;
import dev.tollgate.libvirt.LibvirtCloudConfig;
import dev.tollgate.libvirt.LibvirtDriver;
import dev.tollgate.libvirt.LibvirtOptions;
import dev.tollgate.libvirt.config.LibvirtCloudSpec;
import hudson.Extension;
import hudson.Util;
import hudson.util.FormValidation;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * A libvirt cloud: {@code jenkins: clouds: - tollgateLibvirt: ...}. Mirrors the engine's
 * {@link LibvirtCloudSpec} key for key (its defaults here too; the required keys are the
 * constructor's); the engine checks it ({@link LibvirtCloudSpec#problems()}) and builds the templates,
 * the driver's configuration and the cloud's settings from it, so JCasC, this form and
 * {@code tollgate validate} read one schema. Planning, retention, records and the reaper come from
 * cloud-core.
 *
 * <p>The connection is libvirt's own: the URI says where and how ({@code qemu+ssh://user@host/system}
 * uses the controller's {@code ssh} with its keys, or a {@code ?keyfile=} path), so there is no
 * credentials field. Configuration only (Jenkins makes a new object on every save); the running
 * driver of each cloud is kept in {@link #DRIVERS}, replaced (and the old one's connection closed)
 * when cloud-core rebuilds the engine.
 */
public final class LibvirtCloud extends CommonKeysCloud<LibvirtOptions> {
    /** Engine name → the driver its engine runs with. */
    private static final Map<String, LibvirtDriver> DRIVERS = new ConcurrentHashMap<>();

    private final String uri;
    private final ArrayList<LibvirtTemplate> templates;
    private int shutdownTimeoutSeconds = 120;

    @DataBoundConstructor
    public LibvirtCloud(String name, String uri, List<LibvirtTemplate> templates) {
        super(name);
        this.uri = Util.fixEmptyAndTrim(uri);
        this.templates = templates == null ? new ArrayList<>() : new ArrayList<>(templates);
    }

    public String getUri() {
        return uri;
    }

    public List<LibvirtTemplate> getTemplates() {
        return templates;
    }

    public int getShutdownTimeoutSeconds() {
        return shutdownTimeoutSeconds;
    }

    @DataBoundSetter
    public void setShutdownTimeoutSeconds(int shutdownTimeoutSeconds) {
        this.shutdownTimeoutSeconds = shutdownTimeoutSeconds;
    }

    /** The engine's record of this configuration (the JCasC section's schema). */
    public LibvirtCloudSpec toRecord() {
        return new LibvirtCloudSpec(name, uri, templates.stream().map(LibvirtTemplate::toRecord).toList(),
                shutdownTimeoutSeconds, getInstanceCap(), getRequestsPerSecond(), getRequestBurst(), getReaperGraceSeconds(),
                getDescribeIntervalSeconds(), getReaperIntervalSeconds(), getCapacityCooldownSeconds(), getThrottleBackoffSeconds(),
                getTerminateBackoffSeconds(), getMaxBackoffSeconds(), getRecordRetentionMinutes());
    }

    @Override
    public List<AgentTemplate<LibvirtOptions>> agentTemplates() {
        return toRecord().agentTemplates();
    }

    @Override
    protected CloudSettings.Builder configure(CloudSettings.Builder settings) {
        return toRecord().configure(settings);
    }

    @Override
    protected CloudDriver createDriver(List<AgentTemplate<LibvirtOptions>> agentTemplates) {
        LibvirtDriver driver = LibvirtDriver.connect(toRecord().libvirtConfig(agentTemplates), Clock.systemUTC());
        LibvirtDriver old = DRIVERS.put(engineName(), driver);
        if (old != null) {
            old.close(); // cloud-core shuts the old engine down before it asks for a new driver
        }
        return driver;
    }


    @Extension
    @Symbol("tollgateLibvirt")
    public static final class DescriptorImpl extends CommonKeysDescriptor {
        @Override
        protected FormValidation checkCloudField(String key, String value) {
            return FieldChecks.cloud(key, value);
        }

        @Override
        public String getDisplayName() {
            return "libvirt (Tollgate)";
        }

        public FormValidation doCheckUri(@QueryParameter String value) {
            return FieldChecks.cloud("uri", value);
        }

        public FormValidation doCheckShutdownTimeoutSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("shutdownTimeoutSeconds", value);
        }

        /**
         * What the URI shows, with the cloud's SAVED templates (a template is a nested form the button
         * cannot send): the hypervisor and its version, the storage pools, each template's base image
         * and pool, the domains a template would reuse and whether they are free. Read-only: nothing
         * is defined, started or changed.
         */
        @POST
        public FormValidation doTestConnection(@QueryParameter String name, @QueryParameter String uri) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            LibvirtCloud savedCloud = ConnectionTests.saved(LibvirtCloud.class, name);
            List<LibvirtTemplate> saved = savedCloud == null ? List.of() : savedCloud.templates;
            LibvirtCloudSpec spec = new LibvirtCloud(name == null || name.isBlank() ? "test" : name, uri, saved).toRecord();
            FormValidation refused = ConnectionTests.refused(spec, spec.problems(), !saved.isEmpty());
            if (refused != null) {
                return refused;
            }
            LibvirtCloudConfig config = LibvirtCloudConfig.of(spec.engineName(), spec.uri(),
                    saved.isEmpty() ? List.of() : spec.agentTemplates());
            ConnectionReport report = ConnectionReport.of(config);
            return ConnectionTests.report(report.lines(), report.ok(), !saved.isEmpty(), "their base images and domains");
        }
    }
}
