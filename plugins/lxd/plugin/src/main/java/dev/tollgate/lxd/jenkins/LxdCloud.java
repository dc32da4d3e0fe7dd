package dev.tollgate.lxd.jenkins;

import com.cloudbees.plugins.credentials.common.StandardCertificateCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.jenkins.CommonKeysCloud;
import dev.tollgate.cloud.jenkins.ConnectionTests;
import dev.tollgate.cloud.port.AgentSpec;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.lxd.LxdCloudConfig;
import dev.tollgate.lxd.LxdDriver;
import dev.tollgate.lxd.LxdEndpoint;
import dev.tollgate.lxd.LxdOptions;
import dev.tollgate.lxd.config.LxdCloudSpec;
import dev.tollgate.lxd.config.LxdTemplateSpec;
import hudson.Extension;
import hudson.Util;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.accmod.Restricted;
import org.kohsuke.accmod.restrictions.NoExternalUse;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * An LXD cloud: {@code jenkins: clouds: - tollgateLxd: ...}. Mirrors the engine's
 * {@link LxdCloudSpec} key for key (its defaults here too; the required keys are the constructor's);
 * the engine checks it ({@link LxdCloudSpec#problems()}) and builds the templates, the driver's
 * configuration and the cloud's settings from it, so JCasC, this form and {@code tollgate validate}
 * read one schema. Planning, retention, records and the reaper come from cloud-core; every agent
 * runs in a fresh instance, and with the default template settings it takes one build and is
 * deleted.
 *
 * <p>The daemon is a local unix socket, or a remote URL with the controller's client certificate (a
 * certificate credential of Jenkins' own store, read when the driver is built) and the daemon's
 * certificate pinned. Only the agent's own connection settings reach an instance (the engine passes
 * them in the exec's environment); nothing here logs them or the client key.
 *
 * <p>Configuration only (Jenkins makes a new object on every save); cloud-core owns the running
 * engine and its driver.
 */
public final class LxdCloud extends CommonKeysCloud<LxdOptions> {
    /** Tests give a driver of their own; null (always, in a controller): the engine's LxdDriver. */
    @Restricted(NoExternalUse.class)
    static volatile Function<LxdCloudConfig, CloudDriver> driversForTests;

    private final ArrayList<LxdTemplate> templates;
    private String socketPath;
    private String url;
    private String credentialsId;
    private String serverCertificateFingerprint;
    private String project;
    private ArrayList<LxdImageRemote> imageRemotes = new ArrayList<>();
    private int requestTimeoutSeconds = 30;
    private int operationTimeoutSeconds = 300;

    @DataBoundConstructor
    public LxdCloud(String name, List<LxdTemplate> templates) {
        super(name);
        this.templates = templates == null ? new ArrayList<>() : new ArrayList<>(templates);
    }

    public List<LxdTemplate> getTemplates() {
        return templates;
    }

    public String getSocketPath() {
        return socketPath;
    }

    @DataBoundSetter
    public void setSocketPath(String socketPath) {
        this.socketPath = Util.fixEmptyAndTrim(socketPath);
    }

    public String getUrl() {
        return url;
    }

    @DataBoundSetter
    public void setUrl(String url) {
        this.url = Util.fixEmptyAndTrim(url);
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
    }

    public String getServerCertificateFingerprint() {
        return serverCertificateFingerprint;
    }

    @DataBoundSetter
    public void setServerCertificateFingerprint(String serverCertificateFingerprint) {
        this.serverCertificateFingerprint = Util.fixEmptyAndTrim(serverCertificateFingerprint);
    }

    public String getProject() {
        return project;
    }

    @DataBoundSetter
    public void setProject(String project) {
        this.project = Util.fixEmptyAndTrim(project);
    }

    public List<LxdImageRemote> getImageRemotes() {
        return imageRemotes;
    }

    @DataBoundSetter
    public void setImageRemotes(List<LxdImageRemote> imageRemotes) {
        this.imageRemotes = imageRemotes == null ? new ArrayList<>() : new ArrayList<>(imageRemotes);
    }

    public int getRequestTimeoutSeconds() {
        return requestTimeoutSeconds;
    }

    @DataBoundSetter
    public void setRequestTimeoutSeconds(int requestTimeoutSeconds) {
        this.requestTimeoutSeconds = requestTimeoutSeconds;
    }

    public int getOperationTimeoutSeconds() {
        return operationTimeoutSeconds;
    }

    @DataBoundSetter
    public void setOperationTimeoutSeconds(int operationTimeoutSeconds) {
        this.operationTimeoutSeconds = operationTimeoutSeconds;
    }

    /** A configuration saved before a key existed gets the key's default, not Java's. */
    @Override
    protected Object readResolve() {
        super.readResolve();
        if (imageRemotes == null) {
            imageRemotes = new ArrayList<>();
        }
        return this;
    }

    /** The engine's record of this configuration (the JCasC section's schema). */
    public LxdCloudSpec toRecord() {
        return new LxdCloudSpec(name, socketPath, url, credentialsId, serverCertificateFingerprint, project,
                imageRemotes.stream().map(LxdImageRemote::toRecord).toList(),
                templates.stream().map(LxdTemplate::toRecord).toList(), getInstanceCap(), getRequestsPerSecond(), getRequestBurst(),
                requestTimeoutSeconds, operationTimeoutSeconds, getReaperGraceSeconds(), getDescribeIntervalSeconds(),
                getReaperIntervalSeconds(), getCapacityCooldownSeconds(), getThrottleBackoffSeconds(), getTerminateBackoffSeconds(),
                getMaxBackoffSeconds(), getRecordRetentionMinutes());
    }

    @Override
    public List<AgentTemplate<LxdOptions>> agentTemplates() {
        return toRecord().agentTemplates();
    }

    @Override
    protected CloudSettings.Builder configure(CloudSettings.Builder settings) {
        return toRecord().configure(settings);
    }

    @Override
    protected CloudDriver createDriver(List<AgentTemplate<LxdOptions>> agentTemplates) {
        LxdCloudSpec spec = toRecord();
        LxdCloudConfig config = spec.lxdConfig(agentTemplates, endpoint(spec));
        Function<LxdCloudConfig, CloudDriver> test = driversForTests;
        if (test != null) {
            return test.apply(config);
        }
        try {
            return new LxdDriver(config);
        } catch (GeneralSecurityException e) {
            // names the credential and what is wrong with it, never its key
            throw new IllegalStateException("LXD cloud " + name + ": the client certificate of credentials '"
                    + credentialsId + "' cannot be used: " + e.getMessage(), e);
        }
    }

    /** The daemon's endpoint: the socket, or HTTPS with the credential's certificate and the pin. */
    static LxdEndpoint endpoint(LxdCloudSpec spec) {
        return spec.endpoint(spec.remote() ? ClientCertificates.of(spec.credentialsId()) : null);
    }


    /** The template's remoteFs: where the agent in the instance keeps its workspaces. */
    @Override
    protected String remoteFs(AgentSpec agent) {
        for (LxdTemplate t : templates) {
            if (t.getName() != null && t.getName().equals(agent.template())) {
                return t.getRemoteFs();
            }
        }
        return super.remoteFs(agent);
    }

    @Extension
    @Symbol("tollgateLxd")
    public static final class DescriptorImpl extends CommonKeysDescriptor {
        @Override
        protected FormValidation checkCloudField(String key, String value) {
            return FieldChecks.cloud(key, value);
        }

        @Override
        public String getDisplayName() {
            return "LXD (Tollgate)";
        }

        public FormValidation doCheckSocketPath(@QueryParameter String value, @QueryParameter String url) {
            return FieldChecks.endpoint("socketPath", value, url, null, null);
        }

        public FormValidation doCheckUrl(@QueryParameter String value, @QueryParameter String socketPath,
                                         @QueryParameter String credentialsId,
                                         @QueryParameter String serverCertificateFingerprint) {
            return FieldChecks.endpoint("url", socketPath, value, credentialsId, serverCertificateFingerprint);
        }

        public FormValidation doCheckServerCertificateFingerprint(@QueryParameter String value,
                                                                  @QueryParameter String url) {
            return FieldChecks.endpoint("serverCertificateFingerprint", null, Util.fixEmptyAndTrim(url) == null
                    ? "https://lxd.example.org:8443" : url, "id", value);
        }

        public FormValidation doCheckProject(@QueryParameter String value) {
            return FieldChecks.cloud("project", value);
        }

        public FormValidation doCheckRequestTimeoutSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("requestTimeoutSeconds", value);
        }

        public FormValidation doCheckOperationTimeoutSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("operationTimeoutSeconds", value);
        }

        /** The certificate credentials of Jenkins' own store (a PKCS#12 key store the daemon trusts). */
        @POST
        public ListBoxModel doFillCredentialsIdItems(@QueryParameter String credentialsId) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return new StandardListBoxModel().includeEmptyValue()
                    .includeAs(ACL.SYSTEM2, Jenkins.get(), StandardCertificateCredentials.class)
                    .includeCurrentValue(credentialsId);
        }

        public FormValidation doCheckCredentialsId(@QueryParameter String value, @QueryParameter String url) {
            String id = Util.fixEmptyAndTrim(value);
            FormValidation engine = FieldChecks.endpoint("credentialsId", null, Util.fixEmptyAndTrim(url) == null ? null
                    : url, id, "0".repeat(64));
            if (engine.kind != FormValidation.Kind.OK || id == null) {
                return engine;
            }
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return FormValidation.ok(); // whether an id exists is for administrators to learn
            }
            return ClientCertificates.lookup(id) == null
                    ? FormValidation.error("No certificate credentials with this id") : FormValidation.ok();
        }

        /**
         * Connects with this form's endpoint and lists what the daemon shows: its version, API
         * extensions, storage pools and profiles, and, for the cloud's SAVED templates (a template is
         * a nested form the button cannot send), their images and profiles. Read-only: nothing is made.
         */
        @POST
        public FormValidation doTestConnection(@QueryParameter String name, @QueryParameter String socketPath,
                                               @QueryParameter String url, @QueryParameter String credentialsId,
                                               @QueryParameter String serverCertificateFingerprint,
                                               @QueryParameter String project) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            LxdCloud saved = ConnectionTests.saved(LxdCloud.class, name);
            List<LxdTemplate> templates = saved == null ? List.of() : saved.templates;
            LxdCloud probe = new LxdCloud(Util.fixEmptyAndTrim(name) == null ? "test" : name.trim(), templates);
            probe.setSocketPath(socketPath);
            probe.setUrl(url);
            probe.setCredentialsId(credentialsId);
            probe.setServerCertificateFingerprint(serverCertificateFingerprint);
            probe.setProject(project);
            if (saved != null) {
                probe.setImageRemotes(saved.imageRemotes);
            }
            LxdCloudSpec spec = probe.toRecord();
            FormValidation refused = ConnectionTests.refused(spec, spec.problems(), !templates.isEmpty());
            if (refused != null) {
                return refused;
            }
            List<AgentTemplate<LxdOptions>> agentTemplates = templates.isEmpty() ? List.of() : spec.agentTemplates();
            LxdCloudConfig config;
            try {
                config = spec.lxdConfig(agentTemplates, endpoint(spec));
            } catch (RuntimeException e) {
                return FormValidation.error(e.getMessage());
            }
            try (LxdDriver driver = new LxdDriver(config)) {
                LxdDriver.ConnectionReport report = driver.connectionReport();
                return ConnectionTests.report(report.lines(), report.problems().isEmpty(), !templates.isEmpty(),
                        "their images and profiles");
            } catch (GeneralSecurityException e) {
                return FormValidation.error("The client certificate of credentials '" + credentialsId
                        + "' cannot be used: " + e.getMessage());
            } catch (dev.tollgate.cloud.port.CloudException e) {
                return FormValidation.error("Cannot reach LXD: " + e.getMessage());
            }
        }
    }

    /** The template spec of a template name, for tests and the cloud page. */
    LxdTemplateSpec templateSpec(String templateName) {
        return templates.stream().filter(t -> templateName.equals(t.getName())).map(LxdTemplate::toRecord).findFirst()
                .orElse(null);
    }
}
