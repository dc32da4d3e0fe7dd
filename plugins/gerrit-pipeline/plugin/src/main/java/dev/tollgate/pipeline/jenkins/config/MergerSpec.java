package dev.tollgate.pipeline.jenkins.config;

import dev.tollgate.pipeline.layout.MergerConfig;
import hudson.Extension;
import hudson.model.Describable;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * The merger (test as merge): {@code merger:} of the section. Mirrors {@link MergerConfig} key for
 * key; absent from the configuration means no merger. Holds no secret: the merger fetches with the
 * Gerrit servers' own credentials.
 */
public final class MergerSpec implements Describable<MergerSpec> {
    private boolean enabled = true;
    private String cacheDir;
    private String fetch = "ssh";
    private String zuulUrl;
    private String committerName;
    private String committerEmail;
    private int zuulRefMaxAgeHours = 48;
    private int maxCacheGigabytes = 50;
    private int pruneMinutes = 60;
    private MergerDaemonSpec daemon;

    @DataBoundConstructor
    public MergerSpec() {
    }

    public boolean isEnabled() {
        return enabled;
    }

    @DataBoundSetter
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getCacheDir() {
        return cacheDir;
    }

    @DataBoundSetter
    public void setCacheDir(String cacheDir) {
        this.cacheDir = Specs.text(cacheDir);
    }

    public String getFetch() {
        return fetch;
    }

    @DataBoundSetter
    public void setFetch(String fetch) {
        this.fetch = Specs.textOr(fetch, "ssh");
    }

    public String getZuulUrl() {
        return zuulUrl;
    }

    @DataBoundSetter
    public void setZuulUrl(String zuulUrl) {
        this.zuulUrl = Specs.text(zuulUrl);
    }

    public String getCommitterName() {
        return committerName;
    }

    @DataBoundSetter
    public void setCommitterName(String committerName) {
        this.committerName = Specs.text(committerName);
    }

    public String getCommitterEmail() {
        return committerEmail;
    }

    @DataBoundSetter
    public void setCommitterEmail(String committerEmail) {
        this.committerEmail = Specs.text(committerEmail);
    }

    public int getZuulRefMaxAgeHours() {
        return zuulRefMaxAgeHours;
    }

    @DataBoundSetter
    public void setZuulRefMaxAgeHours(int zuulRefMaxAgeHours) {
        this.zuulRefMaxAgeHours = zuulRefMaxAgeHours;
    }

    public int getMaxCacheGigabytes() {
        return maxCacheGigabytes;
    }

    @DataBoundSetter
    public void setMaxCacheGigabytes(int maxCacheGigabytes) {
        this.maxCacheGigabytes = maxCacheGigabytes;
    }

    public int getPruneMinutes() {
        return pruneMinutes;
    }

    @DataBoundSetter
    public void setPruneMinutes(int pruneMinutes) {
        this.pruneMinutes = pruneMinutes;
    }

    public MergerDaemonSpec getDaemon() {
        return daemon;
    }

    @DataBoundSetter
    public void setDaemon(MergerDaemonSpec daemon) {
        this.daemon = daemon;
    }

    public MergerConfig toRecord() {
        return new MergerConfig(enabled, cacheDir, fetch, zuulUrl, committerName, committerEmail, zuulRefMaxAgeHours,
                maxCacheGigabytes, pruneMinutes, daemon == null ? null : daemon.toRecord());
    }

    @Extension
    @Symbol("merger")
    public static final class DescriptorImpl extends SpecDescriptor<MergerSpec> {
        @Override
        public String getDisplayName() {
            return "Merger (test as merge)";
        }

        @POST
        public ListBoxModel doFillFetchItems() {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            ListBoxModel m = new ListBoxModel();
            m.add("SSH (the server's user, host key and SSH key)", "ssh");
            m.add("HTTP (the server's Gerrit URL and HTTP credentials)", "http");
            return m;
        }

        public FormValidation doCheckCacheDir(@QueryParameter String value) {
            if (value == null || value.isBlank()) {
                return FormValidation.ok("Default: " + MergerConfig.DEFAULT_CACHE_DIR + " in the Jenkins home");
            }
            try {
                Path p = Path.of(value.strip());
                return p.isAbsolute() ? FormValidation.ok()
                        : FormValidation.warning("A relative directory is taken from the Jenkins home");
            } catch (InvalidPathException e) {
                return FormValidation.error("Not a directory name: " + e.getReason());
            }
        }

        public FormValidation doCheckZuulUrl(@QueryParameter String value) {
            if (value == null || value.isBlank()) {
                return FormValidation.ok("Default: the git daemon when it runs, else this Jenkins' tollgate/git URL");
            }
            return value.strip().matches("(?i)(https?|git|ssh)://[^\\s/]+.*") ? FormValidation.ok()
                    : FormValidation.error("Expected an http://, https://, git:// or ssh:// URL");
        }

        public FormValidation doCheckZuulRefMaxAgeHours(@QueryParameter int value) {
            return value >= 1 ? FormValidation.ok() : FormValidation.error("At least 1 hour");
        }

        public FormValidation doCheckMaxCacheGigabytes(@QueryParameter int value) {
            return value >= 1 ? FormValidation.ok() : FormValidation.error("At least 1 GiB");
        }

        public FormValidation doCheckPruneMinutes(@QueryParameter int value) {
            return value >= 1 ? FormValidation.ok() : FormValidation.error("At least 1 minute");
        }
    }
}
