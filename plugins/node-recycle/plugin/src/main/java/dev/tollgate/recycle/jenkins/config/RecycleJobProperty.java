package dev.tollgate.recycle.jenkins.config;

import dev.tollgate.recycle.InvalidPolicyException;
import dev.tollgate.recycle.RecyclePolicy;
import dev.tollgate.recycle.config.JobRecycleOption;
import dev.tollgate.recycle.config.RecycleConfig;
import hudson.Extension;
import hudson.model.Item;
import hudson.model.Job;
import hudson.model.JobProperty;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.OptionalJobProperty;
import net.sf.json.JSONObject;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest2;
import org.kohsuke.stapler.verb.POST;

/**
 * A job's own recycling policy, replacing the rule its agents' label would pick for the builds of
 * this job (e.g. {@code NONE} for a cheap job on devstack agents, or a reboot only after failures).
 * A job property rather than a publisher or a step: it is known before the build runs and read
 * when the build's executor finishes, so it applies whatever the build's result and wherever it
 * stopped (a publisher or a Pipeline step would not run for a build aborted before it), and it is
 * one class for every job type: the freestyle job's page, {@code properties([...])} and
 * Declarative {@code options { }} in Pipeline, {@code properties { }} in Job DSL. Mirrors
 * {@link JobRecycleOption} key for key.
 */
public final class RecycleJobProperty extends OptionalJobProperty<Job<?, ?>> {
    private final String mode;
    private String rebootCommand;
    private Integer reconnectTimeoutMinutes;
    private Integer disconnectTimeoutMinutes;
    private Integer commandTimeoutSeconds;
    private List<String> results = new ArrayList<>();

    @DataBoundConstructor
    public RecycleJobProperty(String mode) {
        this.mode = mode;
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

    public JobRecycleOption toRecord() {
        return new JobRecycleOption(mode,
                rebootCommand == null ? RecyclePolicy.DEFAULT_REBOOT_COMMAND : rebootCommand,
                reconnectTimeoutMinutes == null ? 15 : reconnectTimeoutMinutes,
                disconnectTimeoutMinutes,
                commandTimeoutSeconds == null ? 120 : commandTimeoutSeconds,
                results);
    }

    @Extension
    @Symbol("tollgateNodeRecycleOverride")
    public static final class DescriptorImpl extends OptionalJobPropertyDescriptor {
        @Override
        public String getDisplayName() {
            return "Recycle the agent after this job's builds in its own way (Tollgate)";
        }

        /** The web form: checked like the global rules; an invalid option is refused with the job's form. */
        @Override
        public JobProperty<?> newInstance(StaplerRequest2 req, JSONObject formData) throws FormException {
            JobProperty<?> p = super.newInstance(req, Forms.fields(formData));
            if (p instanceof RecycleJobProperty r) {
                List<String> problems = RecycleConfig.problems(r.toRecord());
                if (!problems.isEmpty()) {
                    throw new FormException(new InvalidPolicyException(problems).getMessage(), "mode");
                }
            }
            return p;
        }

        public String getDefaultRebootCommand() {
            return Forms.defaultRebootCommand();
        }

        /** The results as the form's text field shows them. */
        public String resultsText(List<String> results) {
            return Forms.resultsText(results);
        }

        /** Lists nothing secret, but only to those who may configure the job, as every fill does. */
        @POST
        public ListBoxModel doFillModeItems(@AncestorInPath Item item) {
            if (item != null) {
                item.checkPermission(Item.CONFIGURE);
            } else {
                jenkins.model.Jenkins.get().checkPermission(jenkins.model.Jenkins.ADMINISTER);
            }
            return Forms.modes();
        }

        public FormValidation doCheckResults(@QueryParameter String value) {
            return Forms.checkResults(value);
        }

        public FormValidation doCheckRebootCommand(@QueryParameter String value, @QueryParameter String mode) {
            return Forms.checkRebootCommand(value, mode);
        }
    }
}
