package dev.tollgate.ec2.jenkins;

import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.jenkins.plugins.awscredentials.AmazonWebServicesCredentials;
import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.AgentTemplate;
import dev.tollgate.cloud.CloudSettings;
import dev.tollgate.cloud.jenkins.CommonKeysCloud;
import dev.tollgate.cloud.jenkins.ConnectionTests;
import dev.tollgate.cloud.port.CloudDriver;
import dev.tollgate.ec2.AgentCost;
import dev.tollgate.ec2.Ec2ClientFactory;
import dev.tollgate.ec2.Ec2CloudConfig;
import dev.tollgate.ec2.Ec2Options;
import dev.tollgate.ec2.Ec2SpotDriver;
import dev.tollgate.ec2.HttpProxy;
import dev.tollgate.ec2.SdkEc2ClientFactory;
import dev.tollgate.ec2.config.Ec2CloudSpec;
import dev.tollgate.cloud.config.CloudProblem;
import hudson.Extension;
import hudson.ProxyConfiguration;
import hudson.Util;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import hudson.util.Secret;
import java.net.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * An EC2 spot cloud: {@code jenkins: clouds: - tollgateEc2Spot: ...}. Mirrors the engine's
 * {@link Ec2CloudSpec} key for key (its defaults here too; the required keys are the constructor's);
 * the engine checks it ({@link Ec2CloudSpec#problems()}) and builds the templates, the driver's
 * configuration and the cloud's settings from it, so JCasC, this form and {@code tollgate validate}
 * read one schema. Planning, retention, records and the reaper come from cloud-core.
 *
 * <p>Configuration only (Jenkins makes a new object on every save); the running driver of each cloud
 * is kept in {@link #DRIVERS} for the cloud page's cost column, replaced (and the old one closed)
 * when cloud-core rebuilds the engine.
 */
public final class Ec2SpotCloud extends CommonKeysCloud<Ec2Options> {
    /** Engine name → the driver its engine runs with. */
    private static final Map<String, Ec2SpotDriver> DRIVERS = new ConcurrentHashMap<>();

    private final String region;
    private final ArrayList<Ec2SpotTemplate> templates;
    private String credentialsId;
    private String endpoint;
    private int interruptionCheckSeconds = 60;
    private int agentReportWindowSeconds = 120;
    private int priceCacheSeconds = 600;
    private int imageCacheSeconds = 300;
    private boolean usePublicAddress;
    private int costRetentionHours = 24;

    @DataBoundConstructor
    public Ec2SpotCloud(String name, String region, List<Ec2SpotTemplate> templates) {
        super(name);
        this.region = Util.fixEmptyAndTrim(region);
        this.templates = templates == null ? new ArrayList<>() : new ArrayList<>(templates);
    }

    public String getRegion() {
        return region;
    }

    public List<Ec2SpotTemplate> getTemplates() {
        return templates;
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Util.fixEmptyAndTrim(credentialsId);
    }

    public String getEndpoint() {
        return endpoint;
    }

    @DataBoundSetter
    public void setEndpoint(String endpoint) {
        this.endpoint = Util.fixEmptyAndTrim(endpoint);
    }

    public int getInterruptionCheckSeconds() {
        return interruptionCheckSeconds;
    }

    @DataBoundSetter
    public void setInterruptionCheckSeconds(int interruptionCheckSeconds) {
        this.interruptionCheckSeconds = interruptionCheckSeconds;
    }

    public int getAgentReportWindowSeconds() {
        return agentReportWindowSeconds;
    }

    @DataBoundSetter
    public void setAgentReportWindowSeconds(int agentReportWindowSeconds) {
        this.agentReportWindowSeconds = agentReportWindowSeconds;
    }

    public int getPriceCacheSeconds() {
        return priceCacheSeconds;
    }

    @DataBoundSetter
    public void setPriceCacheSeconds(int priceCacheSeconds) {
        this.priceCacheSeconds = priceCacheSeconds;
    }

    public int getImageCacheSeconds() {
        return imageCacheSeconds;
    }

    @DataBoundSetter
    public void setImageCacheSeconds(int imageCacheSeconds) {
        this.imageCacheSeconds = imageCacheSeconds;
    }

    public boolean isUsePublicAddress() {
        return usePublicAddress;
    }

    @DataBoundSetter
    public void setUsePublicAddress(boolean usePublicAddress) {
        this.usePublicAddress = usePublicAddress;
    }

    public int getCostRetentionHours() {
        return costRetentionHours;
    }

    @DataBoundSetter
    public void setCostRetentionHours(int costRetentionHours) {
        this.costRetentionHours = costRetentionHours;
    }

    /** The engine's record of this configuration (the JCasC section's schema). */
    public Ec2CloudSpec toRecord() {
        return new Ec2CloudSpec(name, region, credentialsId, endpoint,
                templates.stream().map(Ec2SpotTemplate::toRecord).toList(), getInstanceCap(), getRequestsPerSecond(), getRequestBurst(),
                getReaperGraceSeconds(), getDescribeIntervalSeconds(), getReaperIntervalSeconds(), interruptionCheckSeconds,
                getCapacityCooldownSeconds(), getThrottleBackoffSeconds(), getTerminateBackoffSeconds(), getMaxBackoffSeconds(),
                getRecordRetentionMinutes(), agentReportWindowSeconds, priceCacheSeconds, imageCacheSeconds, usePublicAddress,
                costRetentionHours);
    }

    @Override
    public List<AgentTemplate<Ec2Options>> agentTemplates() {
        return toRecord().agentTemplates();
    }

    @Override
    protected CloudSettings.Builder configure(CloudSettings.Builder settings) {
        return toRecord().configure(settings);
    }

    @Override
    protected CloudDriver createDriver(List<AgentTemplate<Ec2Options>> agentTemplates) {
        Ec2CloudConfig config = toRecord().ec2Config(agentTemplates);
        Ec2SpotDriver driver = new Ec2SpotDriver(config, clients(credentialsId, config), Clock.systemUTC());
        Ec2SpotDriver old = DRIVERS.put(engineName(), driver);
        if (old != null) {
            old.close(); // cloud-core shuts the old engine down before it asks for a new driver
        }
        return driver;
    }

    /**
     * The SDK client for these credentials (the AWS Credentials plugin's, or the SDK's default chain
     * when none), through Jenkins' HTTP proxy unless its "no proxy hosts" exclude EC2's host.
     */
    static Ec2ClientFactory clients(String credentialsId, Ec2CloudConfig config) {
        return new SdkEc2ClientFactory(credentialsId == null ? null : new AwsCredentialsKeys(credentialsId),
                Duration.ofSeconds(30), proxyFor(config));
    }

    /** Jenkins' proxy (Manage Jenkins » System » HTTP proxy) for the cloud's EC2 host; null = none or excluded. */
    static HttpProxy proxyFor(Ec2CloudConfig config) {
        ProxyConfiguration proxy = Jenkins.get().getProxy();
        if (proxy == null || proxy.getName() == null) {
            return null;
        }
        String host = config.endpoint() != null ? config.endpoint().getHost()
                : "ec2." + config.region() + ".amazonaws.com";
        if (proxy.createProxy(host) == Proxy.NO_PROXY) {
            return null;
        }
        return HttpProxy.of(proxy.getName(), proxy.getPort(), proxy.getUserName(),
                Secret.toString(proxy.getSecretPassword()));
    }


    /** What the instance costs per hour: its spot price (capped by the bid) or the template's on-demand price. */
    @Override
    protected double hourlyPrice(AgentRecord record) {
        Ec2SpotDriver driver = DRIVERS.get(engineName());
        if (driver == null || record.instanceId() == null) {
            return Double.NaN;
        }
        return driver.cost(record.instanceId()).map(AgentCost::hourlyPrice).orElse(Double.NaN);
    }

    @Extension
    @Symbol("tollgateEc2Spot")
    public static final class DescriptorImpl extends CommonKeysDescriptor {
        @Override
        protected FormValidation checkCloudField(String key, String value) {
            return FieldChecks.cloud(key, value);
        }

        @Override
        public String getDisplayName() {
            return "EC2 spot (Tollgate)";
        }

        public FormValidation doCheckRegion(@QueryParameter String value) {
            return FieldChecks.cloud("region", value);
        }

        public FormValidation doCheckEndpoint(@QueryParameter String value) {
            return FieldChecks.cloud("endpoint", value);
        }

        public FormValidation doCheckInterruptionCheckSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("interruptionCheckSeconds", value);
        }

        public FormValidation doCheckAgentReportWindowSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("agentReportWindowSeconds", value);
        }

        public FormValidation doCheckPriceCacheSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("priceCacheSeconds", value);
        }

        public FormValidation doCheckImageCacheSeconds(@QueryParameter String value) {
            return FieldChecks.cloud("imageCacheSeconds", value);
        }

        public FormValidation doCheckCostRetentionHours(@QueryParameter String value) {
            return FieldChecks.cloud("costRetentionHours", value);
        }

        /** The AWS credentials of Jenkins' own store; empty = the controller's instance role. */
        @POST
        public ListBoxModel doFillCredentialsIdItems(@QueryParameter String credentialsId) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return new StandardListBoxModel().includeEmptyValue()
                    .includeAs(ACL.SYSTEM2, Jenkins.get(), AmazonWebServicesCredentials.class)
                    .includeCurrentValue(credentialsId);
        }

        public FormValidation doCheckCredentialsId(@QueryParameter String value) {
            String id = Util.fixEmptyAndTrim(value);
            if (id == null) {
                return FormValidation.ok("No credentials: the controller's instance role or the SDK's default chain");
            }
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return FormValidation.ok(); // whether an id exists is for administrators to learn
            }
            return AwsCredentialsKeys.lookup(id) == null
                    ? FormValidation.error("No AWS credentials with this id") : FormValidation.ok();
        }

        /**
         * What these credentials can see in this region of the cloud's SAVED templates (a template is
         * a nested form the button cannot send): the AMI each selects, its subnets and security
         * groups, the spot bid for its instance type. Through the engine's driver; nothing is started.
         */
        @POST
        public FormValidation doTestConnection(@QueryParameter String name, @QueryParameter String region,
                                               @QueryParameter String credentialsId, @QueryParameter String endpoint) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            Ec2SpotCloud saved = ConnectionTests.saved(Ec2SpotCloud.class, name);
            if (saved == null || saved.templates.isEmpty()) {
                return FormValidation.warning("Save the cloud with its templates first: the test looks at the saved "
                        + "templates, with the region, credentials and endpoint of this form");
            }
            Ec2SpotCloud probe = new Ec2SpotCloud(saved.name, region, saved.templates);
            probe.setCredentialsId(credentialsId);
            probe.setEndpoint(endpoint);
            Ec2CloudSpec spec = probe.toRecord();
            List<CloudProblem> problems = spec.problems();
            if (!problems.isEmpty()) {
                return FormValidation.error(problems.stream().map(CloudProblem::toString).collect(Collectors.joining("; ")));
            }
            Ec2CloudConfig config = spec.ec2Config(spec.agentTemplates());
            try (Ec2SpotDriver driver = new Ec2SpotDriver(config, clients(spec.credentialsId(), config), Clock.systemUTC())) {
                List<String> report = driver.connectionReport();
                boolean failed = report.stream().anyMatch(l -> l.contains(": image:") || l.contains("groups:")
                        || l.contains("subnets:") || l.contains("spot price:"));
                return ConnectionTests.report(report, !failed, true, "");
            } catch (RuntimeException e) {
                return FormValidation.error("Cannot reach EC2: " + e.getMessage());
            }
        }
    }
}
