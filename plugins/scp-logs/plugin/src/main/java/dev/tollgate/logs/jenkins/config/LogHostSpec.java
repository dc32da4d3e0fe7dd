package dev.tollgate.logs.jenkins.config;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernameCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import dev.tollgate.logs.ConnectionCheck;
import dev.tollgate.logs.LogHost;
import dev.tollgate.logs.LogPublishException;
import dev.tollgate.logs.config.LogHostConfig;
import hudson.Extension;
import hudson.model.Describable;
import hudson.model.Descriptor;
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
 * One log server of the registry. Mirrors the engine's {@link LogHostConfig} key for key; the
 * engine decides what is valid. Holds a credential id, never a secret. Immutable apart from the port.
 */
public final class LogHostSpec implements Describable<LogHostSpec> {
    private final String name;
    private final String host;
    private int port = LogHostConfig.DEFAULT_PORT;
    private final String rootPath;
    private final String user;
    private final String credentialsId;
    private final String hostKey;
    private final String urlBase;

    @DataBoundConstructor
    public LogHostSpec(String name, String host, String rootPath, String user, String credentialsId, String hostKey,
            String urlBase) {
        this.name = text(name);
        this.host = text(host);
        this.rootPath = text(rootPath);
        this.user = text(user);
        this.credentialsId = text(credentialsId);
        this.hostKey = text(hostKey);
        this.urlBase = text(urlBase);
    }

    /** An empty form field is a key that is not set; surrounding blanks of a pasted value are not part of it. */
    static String text(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    public String getName() {
        return name;
    }

    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }

    @DataBoundSetter
    public void setPort(int port) {
        this.port = port;
    }

    public String getRootPath() {
        return rootPath;
    }

    public String getUser() {
        return user;
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    public String getHostKey() {
        return hostKey;
    }

    public String getUrlBase() {
        return urlBase;
    }

    public LogHostConfig toRecord() {
        return new LogHostConfig(name, host, port, rootPath, user, credentialsId, hostKey, urlBase);
    }

    @Extension
    @Symbol("scpLogHost")
    public static final class DescriptorImpl extends Descriptor<LogHostSpec> {
        @Override
        public String getDisplayName() {
            return "Log host";
        }

        public int getDefaultPort() {
            return LogHostConfig.DEFAULT_PORT;
        }

        /** The problem the engine finds with one key, the other keys taking valid sample values. */
        private static FormValidation check(String key, String value) {
            String sample = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";
            LogHostConfig c = new LogHostConfig(key.equals("name") ? text(value) : "log-server",
                    key.equals("host") ? text(value) : "logs.example.org", LogHostConfig.DEFAULT_PORT,
                    key.equals("rootPath") ? text(value) : "/logs", key.equals("user") ? text(value) : "logs",
                    "id", key.equals("hostKey") ? text(value) : sample,
                    key.equals("urlBase") ? text(value) : "http://logs.example.org/");
            String problem = c.problems().get(key);
            return problem == null ? FormValidation.ok() : FormValidation.error(problem);
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return check("name", value);
        }

        public FormValidation doCheckHost(@QueryParameter String value) {
            return check("host", value);
        }

        public FormValidation doCheckRootPath(@QueryParameter String value) {
            return check("rootPath", value);
        }

        public FormValidation doCheckUser(@QueryParameter String value) {
            return check("user", value);
        }

        public FormValidation doCheckHostKey(@QueryParameter String value) {
            return check("hostKey", value);
        }

        public FormValidation doCheckUrlBase(@QueryParameter String value) {
            return check("urlBase", value);
        }

        /** SSH private keys and usernames with passwords of Jenkins' own store (SYSTEM scope included). */
        @POST
        public ListBoxModel doFillCredentialsIdItems(@QueryParameter String credentialsId) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            return new StandardListBoxModel().includeEmptyValue()
                    .includeMatchingAs(ACL.SYSTEM2, Jenkins.get(), StandardUsernameCredentials.class, List.of(),
                            CredentialsMatchers.anyOf(CredentialsMatchers.instanceOf(SSHUserPrivateKey.class),
                                    CredentialsMatchers.instanceOf(StandardUsernamePasswordCredentials.class)))
                    .includeCurrentValue(credentialsId);
        }

        /**
         * Connects as a publish would (the pinned host key, the login) and checks that the root path is
         * a directory the user can write to, with the values of the form, saved or not.
         */
        @POST
        public FormValidation doTestConnection(@QueryParameter String name, @QueryParameter String host,
                                               @QueryParameter int port, @QueryParameter String rootPath,
                                               @QueryParameter String user, @QueryParameter String credentialsId,
                                               @QueryParameter String hostKey, @QueryParameter String urlBase) {
            Jenkins.get().checkPermission(Jenkins.ADMINISTER);
            LogHostSpec spec = new LogHostSpec(name == null || name.isBlank() ? "test" : name, host, rootPath, user,
                    credentialsId, hostKey, urlBase);
            spec.setPort(port);
            LogHost logHost;
            try {
                logHost = spec.toRecord().toLogHost();
            } catch (IllegalArgumentException e) {
                return FormValidation.error(e.getMessage());
            }
            try {
                ConnectionCheck c = ScpLogsConfiguration.get().publisher().checkConnection(logHost);
                return c.rootChecked() ? FormValidation.ok(c.message()) : FormValidation.warning(c.message());
            } catch (LogPublishException e) {
                return FormValidation.error(e.getMessage());
            }
        }
    }
}
