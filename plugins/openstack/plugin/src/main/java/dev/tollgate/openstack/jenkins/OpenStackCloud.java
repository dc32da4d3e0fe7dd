package dev.tollgate.openstack.jenkins;

import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.jenkins.CommonKeysCloud;
import dev.tollgate.cloud.jenkins.ConnectionTests;
import dev.tollgate.cloud.port.AgentSpec;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.cloud.port.CloudException;
import dev.tollgate.openstack.OpenStackCloudConfig;
import dev.tollgate.openstack.OpenStackDriver;
import dev.tollgate.openstack.OpenStackOptions;
import dev.tollgate.openstack.config.OpenStackCloudSpec;
import dev.tollgate.openstack.config.OpenStackTemplateSpec;
import hudson.Extension;
import hudson.Util;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.time.Clock;
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
 * An OpenStack cloud: {@code jenkins: clouds: - tollgateOpenStack: ...}. Mirrors the engine's
 * {@link OpenStackCloudSpec} key for key (its defaults here too; the required keys are the
 * constructor's); the engine checks it ({@link OpenStackCloudSpec#problems()}) and builds the
 * templates, the driver's configuration and the cloud's settings from it, so JCasC, this form and
 * {@code tollgate validate} read one schema. Planning, retention, records and the reaper come from
 * cloud-core; {@code maxConcurrentBoots} is cloud-core's bound on agents starting at once.
 *
 * <p>Keystone's user and password (or an application credential's id and secret) are a
 * username-and-password credential of Jenkins' own store, read when the driver is built and never
 * logged. The agent's own connection settings reach its server in the template's user data only.
 *
 * <p>Configuration only (Jenkins makes a new object on every save); cloud-core owns the running
 * engine and its driver.
 */
public final class OpenStackCloud extends CommonKeysCloud<OpenStackOptions> {
    /** Tests give a driver of their own; null (always, in a controller): the engine's OpenStackDriver. */
    @Restricted(NoExternalUse.class)
    static volatile Function<OpenStackCloudConfig, CloudDriver> driversForTests;

    private final String authUrl;
    private final String credentialsId;
    private final ArrayList<OpenStackTemplate> templates;
    private String authentication = OpenStackCloudSpec.PASSWORD;
    private String userDomain;
    private String project;
    private String projectDomain;
    private String region;
    private String endpointInterface = "public";
    private int maxConcurrentBoots = 4;
    private int connectTimeoutSeconds = 10;
    private int readTimeoutSeconds = 60;
    private int lookupCacheSeconds = 300;

    @DataBoundConstructor
    public OpenStackCloud(String name, String authUrl, String credentialsId, List<OpenStackTemplate> templates) {
        super(name);
        this.authUrl = Util.fixEmptyAndTrim(authUrl);
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
        this.templates = templates == null ? new ArrayList<>() : new ArrayList<>(templates);
    }

    public String getAuthUrl() {
        return authUrl;
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    public List<OpenStackTemplate> getTemplates() {
        return templates;
    }

    public String getAuthentication() {
        return authentication;
    }

    @DataBoundSetter
    public void setAuthentication(String authentication) {
        String a = Util.fixEmptyAndTrim(authentication);
        this.authentication = a == null ? OpenStackCloudSpec.PASSWORD : a;
    }

    public String getUserDomain() {
        return userDomain;
    }

    @DataBoundSetter
    public void setUserDomain(String userDomain) {
        this.userDomain = Util.fixEmptyAndTrim(userDomain);
    }

    public String getProject() {
        return project;
    }

    @DataBoundSetter
    public void setProject(String project) {
        this.project = Util.fixEmptyAndTrim(project);
    }

    public String getProjectDomain() {
        return projectDomain;
    }

    @DataBoundSetter
    public void setProjectDomain(String projectDomain) {
        this.projectDomain = Util.fixEmptyAndTrim(projectDomain);
    }

    public String getRegion() {
        return region;
    }

    @DataBoundSetter
    public void setRegion(String region) {
        this.region = Util.fixEmptyAndTrim(region);
    }

    public String getEndpointInterface() {
        return endpointInterface;
    }

    @DataBoundSetter
    public void setEndpointInterface(String endpointInterface) {
        String e = Util.fixEmptyAndTrim(endpointInterface);
        this.endpointInterface = e == null ? "public" : e;
    }

    public int getMaxConcurrentBoots() {
        return maxConcurrentBoots;
    }

    @DataBoundSetter
    public void setMaxConcurrentBoots(int maxConcurrentBoots) {
        this.maxConcurrentBoots = maxConcurrentBoots;
    }

    public int getConnectTimeoutSeconds() {
        return connectTimeoutSeconds;
    }

    @DataBoundSetter
    public void setConnectTimeoutSeconds(int connectTimeoutSeconds) {
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }

    public int getReadTimeoutSeconds() {
        return readTimeoutSeconds;
    }

    @DataBoundSetter
    public void setReadTimeoutSeconds(int readTimeoutSeconds) {
        this.readTimeoutSeconds = readTimeoutSeconds;
    }

    public int getLookupCacheSeconds() {
        return lookupCacheSeconds;
    }

    @DataBoundSetter
    public void setLookupCacheSeconds(int lookupCacheSeconds) {
        this.lookupCacheSeconds = lookupCacheSeconds;
    }

    /** A configuration saved before a key existed gets the key's default, not Java's. */
    @Override
    protected Object readResolve() {
        super.readResolve();
        if (authentication == null) {
            authentication = OpenStackCloudSpec.PASSWORD;
        }
        if (endpointInterface == null) {
            endpointInterface = "public";
        }
        if (maxConcurrentBoots == 0) {
            maxConcurrentBoots = 4;
        }
        return this;
    }

    /** The engine's record of this configuration (the JCasC section's schema). */
    public OpenStackCloudSpec toRecord() {
        return new OpenStackCloudSpec(name, authUrl, authentication, credentialsId, userDomain, project, projectDomain,
                region, endpointInterface, templates.stream().map(OpenStackTemplate::toRecord).toList(), getInstanceCap(),
                maxConcurrentBoots, getRequestsPerSecond(), getRequestBurst(), connectTimeoutSeconds, readTimeoutSeconds,
                lookupCacheSeconds, getReaperGraceSeconds(), getDescribeIntervalSeconds(), getReaperIntervalSeconds(),
                getCapacityCooldownSeconds(), getThrottleBackoffSeconds(), getTerminateBackoffSeconds(),
                getMaxBackoffSeconds(), getRecordRetentionMinutes());
    }

    @Override
    public List<AgentTemplate<OpenStackOptions>> agentTemplates() {
        return toRecord().agentTemplates();
    }

    @Override
    protected CloudSettings.Builder configure(CloudSettings.Builder settings) {
        return toRecord().configure(settings);
    }

    @Override
    protected CloudDriver createDriver(List<AgentTemplate<OpenStackOptions>> agentTemplates) {
        OpenStackCloudSpec spec = toRecord();
        OpenStackCloudConfig config = spec.openStackConfig(agentTemplates, KeystoneCredentials.of(spec));
        Function<OpenStackCloudConfig, CloudDriver> test = driversForTests;
        return test != null ? test.apply(config) : new OpenStackDriver(config, Clock.systemUTC());
    }


    /** The template's remoteFs: where the agent on the server keeps its workspaces. */
    @Override
    protected String remoteFs(AgentSpec agent) {
        for (OpenStackTemplate t : templates) {
            if (t.getName() != null && t.getName().equals(agent.template())) {
                return t.getRemoteFs();
            }
        }
        return super.remoteFs(agent);
    }

    /** The template spec of a template name, for tests and the cloud page. */
    OpenStackTemplateSpec templateSpec(String templateName) {
        return templates.stream().filter(t -> templateName.equals(t.getName())).map(OpenStackTemplate::toRecord)
                .findFirst().orElse(null);
    }

    @Extension
    @Symbol("tollgateOpenStack")
    public static final class DescriptorImpl extends CommonKeysDescriptor {
        @Override
        protected FormValidation checkCloudField(String key, String value) {
            return FieldChecks.cloud(key, value);
        }

        @Override
        public String getDisplayName() {
            return "OpenStack (Tollgate)";
        }

        public ListBoxModel doFillAuthenticationItems() {
            ListBoxModel m = new ListBoxModel();
            m.add("User and password (scoped to a project)", OpenStackCloudSpec.PASSWORD);
            m.add("Application credential (id and secret)", OpenStackCloudSpec.APPLICATION_CREDENTIAL);
            return m;
        }

        public ListBoxModel doFillEndpointInterfaceItems() {
            ListBoxModel m = new ListBoxModel();
            m.add("public", "public");
            m.add("internal", "internal");
            m.add("admin", "admin");
            return m;
        }

        /** The username-and-password credentials of Jenkins' own store. */
        @POST
        public ListBoxModel doFillCredentialsIdItems(@QueryParameter String credentialsId) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return new StandardListBoxModel().includeEmptyValue()
                    .includeAs(ACL.SYSTEM2, Jenkins.get(), StandardUsernamePasswordCredentials.class)
                    .includeCurrentValue(credentialsId);
        }

        public FormValidation doCheckAuthUrl(@QueryParameter String value) {
            return FieldChecks.cloud("authUrl", value);
        }

        public FormValidation doCheckCredentialsId(@QueryParameter String value) {
            String id = Util.fixEmptyAndTrim(value);
            FormValidation engine = FieldChecks.cloud("credentialsId", id);
            if (engine.kind != FormValidation.Kind.OK) {
                return engine;
            }
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return FormValidation.ok(); // whether an id exists is for administrators to learn
            }
            return KeystoneCredentials.lookup(id) == null
                    ? FormValidation.error("No username-and-password credentials with this id") : FormValidation.ok();
        }

        public FormValidation doCheckProject(@QueryParameter String value, @QueryParameter String authentication) {
            return FieldChecks.signIn("project", authentication, value, null, null);
        }

        public FormValidation doCheckUserDomain(@QueryParameter String value, @QueryParameter String authentication) {
            return FieldChecks.signIn("userDomain", authentication, "ci", value, null);
        }

        public FormValidation doCheckProjectDomain(@QueryParameter String value, @QueryParameter String authentication) {
            return FieldChecks.signIn("projectDomain", authentication, "ci", null, value);
        }

        public FormValidation doCheckRegion(@QueryParameter String value) {
            return FieldChecks.cloud("region", Util.fixEmptyAndTrim(value) == null ? null : value);
        }

        public FormValidation doCheckMaxConcurrentBoots(@QueryParameter String value) {
            return FieldChecks.cloud("maxConcurrentBoots", value);
        }

        public FormValidation doCheckConnectTimeoutSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("connectTimeoutSeconds", value);
        }

        public FormValidation doCheckReadTimeoutSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("readTimeoutSeconds", value);
        }

        public FormValidation doCheckLookupCacheSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("lookupCacheSeconds", value);
        }

        /**
         * Signs in with this form's values and lists what OpenStack shows: who, the project, the
         * catalog's endpoints, and, for the cloud's SAVED templates (a template is a nested form the
         * button cannot send), the image each would boot now, its flavor, networks, security groups,
         * key pair, zone and floating IP pool. Read-only: nothing is made.
         */
        @POST
        public FormValidation doTestConnection(@QueryParameter String name, @QueryParameter String authUrl,
                                               @QueryParameter String authentication,
                                               @QueryParameter String credentialsId, @QueryParameter String userDomain,
                                               @QueryParameter String project, @QueryParameter String projectDomain,
                                               @QueryParameter String region, @QueryParameter String endpointInterface) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            OpenStackCloud saved = ConnectionTests.saved(OpenStackCloud.class, name);
            List<OpenStackTemplate> templates = saved == null ? List.of() : saved.templates;
            OpenStackCloud probe = new OpenStackCloud(Util.fixEmptyAndTrim(name) == null ? "test" : name.trim(), authUrl,
                    credentialsId, templates);
            probe.setAuthentication(authentication);
            probe.setUserDomain(userDomain);
            probe.setProject(project);
            probe.setProjectDomain(projectDomain);
            probe.setRegion(region);
            probe.setEndpointInterface(endpointInterface);
            OpenStackCloudSpec spec = probe.toRecord();
            FormValidation refused = ConnectionTests.refused(spec, spec.problems(), !templates.isEmpty());
            if (refused != null) {
                return refused;
            }
            List<AgentTemplate<OpenStackOptions>> agentTemplates = templates.isEmpty() ? List.of() : spec.agentTemplates();
            OpenStackCloudConfig config;
            try {
                config = spec.openStackConfig(agentTemplates, KeystoneCredentials.of(spec));
            } catch (RuntimeException e) {
                return FormValidation.error(e.getMessage());
            }
            try {
                OpenStackDriver.ConnectionReport report = new OpenStackDriver(config, Clock.systemUTC()).connectionReport();
                return ConnectionTests.report(report.lines(), report.problems().isEmpty(), !templates.isEmpty(),
                        "the image each would boot, its flavor and networks");
            } catch (CloudException e) {
                return FormValidation.error("OpenStack refused or could not be reached: " + e.getMessage());
            }
        }
    }
}
