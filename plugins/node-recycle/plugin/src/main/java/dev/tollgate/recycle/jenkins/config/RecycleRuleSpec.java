package dev.tollgate.recycle.jenkins.config;

import dev.tollgate.recycle.RecyclePolicy;
import dev.tollgate.recycle.config.RecycleRule;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.Jenkins;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * One rule: the agents a label expression matches, and what happens to them after each build.
 * Mirrors {@link RecycleRule} key for key; a key left unset takes the engine's default. The
 * engine's {@code RecycleConfig} decides what is valid.
 */
public final class RecycleRuleSpec implements Describable<RecycleRuleSpec> {
    private final String label;
    private final String mode;
    private String rebootCommand;
    private Integer reconnectTimeoutMinutes;
    private Integer disconnectTimeoutMinutes;
    private Integer commandTimeoutSeconds;
    private List<String> results = new ArrayList<>();

    @DataBoundConstructor
    public RecycleRuleSpec(String label, String mode) {
        this.label = label == null ? null : label.strip();
        this.mode = mode;
    }

    public String getLabel() {
        return label;
    }

    public String getMode() {
        return mode;
    }

    public String getRebootCommand() {
        return rebootCommand;
    }

    @DataBoundSetter
    public void setRebootCommand(String rebootCommand) {
        String c = Forms.text(rebootCommand);
        this.rebootCommand = RecyclePolicy.DEFAULT_REBOOT_COMMAND.equals(c) ? null : c;
    }

    public Integer getReconnectTimeoutMinutes() {
        return reconnectTimeoutMinutes;
    }

    @DataBoundSetter
    public void setReconnectTimeoutMinutes(Integer reconnectTimeoutMinutes) {
        this.reconnectTimeoutMinutes = Forms.number(reconnectTimeoutMinutes, 15);
    }

    public Integer getDisconnectTimeoutMinutes() {
        return disconnectTimeoutMinutes;
    }

    @DataBoundSetter
    public void setDisconnectTimeoutMinutes(Integer disconnectTimeoutMinutes) {
        this.disconnectTimeoutMinutes = disconnectTimeoutMinutes;
    }

    public Integer getCommandTimeoutSeconds() {
        return commandTimeoutSeconds;
    }

    @DataBoundSetter
    public void setCommandTimeoutSeconds(Integer commandTimeoutSeconds) {
        this.commandTimeoutSeconds = Forms.number(commandTimeoutSeconds, 120);
    }

    public List<String> getResults() {
        return results;
    }

    @DataBoundSetter
    public void setResults(List<String> results) {
        this.results = results == null ? new ArrayList<>() : new ArrayList<>(results);
    }

    public RecycleRule toRecord() {
        return new RecycleRule(label, mode,
                rebootCommand == null ? RecyclePolicy.DEFAULT_REBOOT_COMMAND : rebootCommand,
                reconnectTimeoutMinutes == null ? 15 : reconnectTimeoutMinutes,
                disconnectTimeoutMinutes,
                commandTimeoutSeconds == null ? 120 : commandTimeoutSeconds,
                results);
    }

    @Extension
    @Symbol("recycleRule")
    public static final class DescriptorImpl extends Descriptor<RecycleRuleSpec> {
        @Override
        public String getDisplayName() {
            return "Recycling rule";
        }

        @Override
        public RecycleRuleSpec newInstance(StaplerRequest2 req, JSONObject formData) throws FormException {
            return super.newInstance(req, Forms.fields(formData));
        }

        public String getDefaultRebootCommand() {
            return Forms.defaultRebootCommand();
        }

        /** The results as the form's text field shows them. */
        public String resultsText(List<String> results) {
            return Forms.resultsText(results);
        }

        @POST
        public ListBoxModel doFillModeItems() {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return Forms.modes();
        }

        public FormValidation doCheckLabel(@QueryParameter String value) {
            return Forms.checkLabel(value);
        }

        public FormValidation doCheckResults(@QueryParameter String value) {
            return Forms.checkResults(value);
        }

        public FormValidation doCheckRebootCommand(@QueryParameter String value, @QueryParameter String mode) {
            return Forms.checkRebootCommand(value, mode);
        }
    }
}
