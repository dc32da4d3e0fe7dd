package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.DriverOptions;
import hudson.Util;
import hudson.slaves.Cloud;
import hudson.util.FormValidation;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;

/**
 * A {@link TollgateCloud} configured by engine records with the cloud-wide keys every Tollgate cloud
 * shares (cloud-core's {@code CommonCloudFields}: cap, create rate, reaper and describe intervals,
 * capacity cooldown, backoffs, record retention). The keys, their defaults, getters and
 * {@code @DataBoundSetter}s are here once; Stapler, JCasC and Job DSL bind setters of superclasses.
 * The form's fields are in this class's {@code config-common.jelly} (included in a subclass's
 * {@code <f:advanced>}), their help files beside it. A subclass passes the values to its record in
 * {@code toRecord()}. Configuration only, like every cloud object.
 *
 * @param <O> the driver's options of one template
 */
public abstract class CommonKeysCloud<O extends DriverOptions> extends TollgateCloud<O> {
    private Integer instanceCap;
    private String requestsPerSecond = "2";
    private int requestBurst = 20;
    private int reaperGraceSeconds = 300;
    private int describeIntervalSeconds = 120;
    private int reaperIntervalSeconds = 300;
    private int capacityCooldownSeconds = 120;
    private int throttleBackoffSeconds = 1;
    private int terminateBackoffSeconds = 5;
    private int maxBackoffSeconds = 300;
    private int recordRetentionMinutes = 60;

    protected CommonKeysCloud(String name) {
        super(name);
    }

    public String getName() {
        return name;
    }

    public Integer getInstanceCap() {
        return instanceCap;
    }

    @DataBoundSetter
    public void setInstanceCap(Integer instanceCap) {
        this.instanceCap = instanceCap;
    }

    public String getRequestsPerSecond() {
        return requestsPerSecond;
    }

    @DataBoundSetter
    public void setRequestsPerSecond(String requestsPerSecond) {
        this.requestsPerSecond = Util.fixEmptyAndTrim(requestsPerSecond) == null ? "2" : Util.fixEmptyAndTrim(requestsPerSecond);
    }

    public int getRequestBurst() {
        return requestBurst;
    }

    @DataBoundSetter
    public void setRequestBurst(int requestBurst) {
        this.requestBurst = requestBurst;
    }

    public int getReaperGraceSeconds() {
        return reaperGraceSeconds;
    }

    @DataBoundSetter
    public void setReaperGraceSeconds(int reaperGraceSeconds) {
        this.reaperGraceSeconds = reaperGraceSeconds;
    }

    public int getDescribeIntervalSeconds() {
        return describeIntervalSeconds;
    }

    @DataBoundSetter
    public void setDescribeIntervalSeconds(int describeIntervalSeconds) {
        this.describeIntervalSeconds = describeIntervalSeconds;
    }

    public int getReaperIntervalSeconds() {
        return reaperIntervalSeconds;
    }

    @DataBoundSetter
    public void setReaperIntervalSeconds(int reaperIntervalSeconds) {
        this.reaperIntervalSeconds = reaperIntervalSeconds;
    }

    public int getCapacityCooldownSeconds() {
        return capacityCooldownSeconds;
    }

    @DataBoundSetter
    public void setCapacityCooldownSeconds(int capacityCooldownSeconds) {
        this.capacityCooldownSeconds = capacityCooldownSeconds;
    }

    public int getThrottleBackoffSeconds() {
        return throttleBackoffSeconds;
    }

    @DataBoundSetter
    public void setThrottleBackoffSeconds(int throttleBackoffSeconds) {
        this.throttleBackoffSeconds = throttleBackoffSeconds;
    }

    public int getTerminateBackoffSeconds() {
        return terminateBackoffSeconds;
    }

    @DataBoundSetter
    public void setTerminateBackoffSeconds(int terminateBackoffSeconds) {
        this.terminateBackoffSeconds = terminateBackoffSeconds;
    }

    public int getMaxBackoffSeconds() {
        return maxBackoffSeconds;
    }

    @DataBoundSetter
    public void setMaxBackoffSeconds(int maxBackoffSeconds) {
        this.maxBackoffSeconds = maxBackoffSeconds;
    }

    public int getRecordRetentionMinutes() {
        return recordRetentionMinutes;
    }

    @DataBoundSetter
    public void setRecordRetentionMinutes(int recordRetentionMinutes) {
        this.recordRetentionMinutes = recordRetentionMinutes;
    }

    /**
     * A configuration saved before a key existed gets the key's default, not Java's. XStream calls
     * the most specific readResolve: a subclass with its own calls this one first.
     */
    protected Object readResolve() {
        if (requestsPerSecond == null) {
            requestsPerSecond = "2";
        }
        return this;
    }

    /**
     * The base of such a cloud's descriptor: the form's lists read ({@link FormLists}), and the form
     * checks of the name and the common keys, each made by the subclass's engine record
     * ({@link #checkCloudField}).
     */
    public abstract static class CommonKeysDescriptor extends TollgateCloudDescriptor {
        /** The record's verdict on the value of one cloud key, the rest of the cloud valid. */
        protected abstract FormValidation checkCloudField(String key, String value);

        @Override
        public Cloud newInstance(StaplerRequest2 req, JSONObject form) throws FormException {
            return super.newInstance(req, FormLists.fields(clazz, form));
        }

        /** Jenkins' rules for the name first, then the engine's (a warning of Jenkins' kept when both pass). */
        @Override
        public FormValidation doCheckName(@QueryParameter String value) {
            FormValidation jenkins = super.doCheckName(value);
            if (jenkins.kind == FormValidation.Kind.ERROR) {
                return jenkins;
            }
            FormValidation engine = checkCloudField("name", value);
            return engine.kind == FormValidation.Kind.OK ? jenkins : engine;
        }

        public FormValidation doCheckInstanceCap(@QueryParameter String value) {
            return checkCloudField("instanceCap", value);
        }

        public FormValidation doCheckRequestsPerSecond(@QueryParameter String value) {
            return checkCloudField("requestsPerSecond", value);
        }

        public FormValidation doCheckRequestBurst(@QueryParameter String value) {
            return checkCloudField("requestBurst", value);
        }

        public FormValidation doCheckReaperGraceSeconds(@QueryParameter String value) {
            return checkCloudField("reaperGraceSeconds", value);
        }

        public FormValidation doCheckDescribeIntervalSeconds(@QueryParameter String value) {
            return checkCloudField("describeIntervalSeconds", value);
        }

        public FormValidation doCheckReaperIntervalSeconds(@QueryParameter String value) {
            return checkCloudField("reaperIntervalSeconds", value);
        }

        public FormValidation doCheckCapacityCooldownSeconds(@QueryParameter String value) {
            return checkCloudField("capacityCooldownSeconds", value);
        }

        public FormValidation doCheckThrottleBackoffSeconds(@QueryParameter String value) {
            return checkCloudField("throttleBackoffSeconds", value);
        }

        public FormValidation doCheckTerminateBackoffSeconds(@QueryParameter String value) {
            return checkCloudField("terminateBackoffSeconds", value);
        }

        public FormValidation doCheckMaxBackoffSeconds(@QueryParameter String value) {
            return checkCloudField("maxBackoffSeconds", value);
        }

        public FormValidation doCheckRecordRetentionMinutes(@QueryParameter String value) {
            return checkCloudField("recordRetentionMinutes", value);
        }
    }
}
