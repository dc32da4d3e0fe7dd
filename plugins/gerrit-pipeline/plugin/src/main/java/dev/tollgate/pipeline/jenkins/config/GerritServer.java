package dev.tollgate.pipeline.jenkins.config;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import dev.tollgate.pipeline.jenkins.ServerConnections;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import hudson.Extension;
import hudson.model.Describable;
import hudson.security.ACL;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.Symbol;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.verb.POST;

/**
 * One Gerrit server: the suite's own SSH event stream, or a server of the Gerrit Trigger plugin, and
 * the REST endpoint reviews are posted to. Mirrors {@link GerritServerConfig} key for key. Holds
 * credential ids only, never secrets.
 */
public final class GerritServer implements Describable<GerritServer> {
    private final String name;
    private String host;
    private int sshPort = GerritServerConfig.DEFAULT_SSH_PORT;
    private String username;
    private String hostKey;
    private String credentialsId;
    private String restUrl;
    private String restCredentialsId;
    private String gitUrl;
    private String gerritTriggerServer;

    @DataBoundConstructor
    public GerritServer(String name) {
        this.name = name;
    }

    public String getName() {
        return name;
    }

    public String getHost() {
        return host;
    }

    @DataBoundSetter
    public void setHost(String host) {
        this.host = Specs.text(host);
    }

    public int getSshPort() {
        return sshPort;
    }

    @DataBoundSetter
    public void setSshPort(int sshPort) {
        this.sshPort = sshPort;
    }

    public String getUsername() {
        return username;
    }

    @DataBoundSetter
    public void setUsername(String username) {
        this.username = Specs.text(username);
    }

    public String getHostKey() {
        return hostKey;
    }

    @DataBoundSetter
    public void setHostKey(String hostKey) {
        this.hostKey = Specs.text(hostKey);
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = Specs.text(credentialsId);
    }

    public String getRestUrl() {
        return restUrl;
    }

    @DataBoundSetter
    public void setRestUrl(String restUrl) {
        this.restUrl = Specs.text(restUrl);
    }

    public String getRestCredentialsId() {
        return restCredentialsId;
    }

    @DataBoundSetter
    public void setRestCredentialsId(String restCredentialsId) {
        this.restCredentialsId = Specs.text(restCredentialsId);
    }

    public String getGitUrl() {
        return gitUrl;
    }

    @DataBoundSetter
    public void setGitUrl(String gitUrl) {
        this.gitUrl = Specs.text(gitUrl);
    }

    public String getGerritTriggerServer() {
        return gerritTriggerServer;
    }

    @DataBoundSetter
    public void setGerritTriggerServer(String gerritTriggerServer) {
        this.gerritTriggerServer = Specs.text(gerritTriggerServer);
    }

    public GerritServerConfig toRecord() {
        return new GerritServerConfig(Specs.text(name), host, sshPort, username, hostKey, credentialsId, restUrl,
                restCredentialsId, gitUrl, gerritTriggerServer);
    }

    @Extension
    @Symbol("gerritServer")
    public static final class DescriptorImpl extends SpecDescriptor<GerritServer> {
        @Override
        public String getDisplayName() {
            return "Gerrit server";
        }

        public int getDefaultSshPort() {
            return GerritServerConfig.DEFAULT_SSH_PORT;
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            if (value == null || value.isBlank()) {
                return FormValidation.error("Required");
            }
            return value.matches("[A-Za-z0-9][A-Za-z0-9._-]*") ? FormValidation.ok()
                    : FormValidation.error("Use letters, digits, '.', '_' and '-'");
        }

        public FormValidation doCheckHostKey(@QueryParameter String value, @QueryParameter String gerritTriggerServer) {
            if (value == null || value.isBlank()) {
                return gerritTriggerServer == null || gerritTriggerServer.isBlank()
                        ? FormValidation.error("Required: the server's public key, from ssh-keyscan -p PORT HOST")
                        : FormValidation.ok();
            }
            return ServerConnections.checkHostKey(value);
        }

        @POST
        public ListBoxModel doFillCredentialsIdItems(@QueryParameter String credentialsId) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return new StandardListBoxModel().includeEmptyValue()
                    .includeMatchingAs(ACL.SYSTEM2, Jenkins.get(), SSHUserPrivateKey.class, List.of(),
                            CredentialsMatchers.always())
                    .includeCurrentValue(credentialsId);
        }

        @POST
        public ListBoxModel doFillRestCredentialsIdItems(@QueryParameter String restCredentialsId) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return new StandardListBoxModel().includeEmptyValue()
                    .includeMatchingAs(ACL.SYSTEM2, Jenkins.get(), StandardUsernamePasswordCredentials.class,
                            List.of(), CredentialsMatchers.always())
                    .includeCurrentValue(restCredentialsId);
        }

        /** Connects as the stream and the reviews would, and says what worked. */
        @POST
        public FormValidation doTestConnection(@QueryParameter String name, @QueryParameter String host,
                                               @QueryParameter int sshPort, @QueryParameter String username,
                                               @QueryParameter String hostKey, @QueryParameter String credentialsId,
                                               @QueryParameter String restUrl,
                                               @QueryParameter String restCredentialsId,
                                               @QueryParameter String gerritTriggerServer) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            GerritServer s = new GerritServer(name == null || name.isBlank() ? "test" : name);
            s.setHost(host);
            s.setSshPort(sshPort);
            s.setUsername(username);
            s.setHostKey(hostKey);
            s.setCredentialsId(credentialsId);
            s.setRestUrl(restUrl);
            s.setRestCredentialsId(restCredentialsId);
            s.setGerritTriggerServer(gerritTriggerServer);
            return ServerConnections.test(s.toRecord());
        }
    }
}
