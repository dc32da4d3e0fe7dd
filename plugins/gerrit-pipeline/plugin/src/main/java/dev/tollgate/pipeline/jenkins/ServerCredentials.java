package dev.tollgate.pipeline.jenkins;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import com.cloudbees.plugins.credentials.Credentials;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import dev.tollgate.pipeline.gerrit.HttpCredentials;
import dev.tollgate.pipeline.gerrit.SshKeyCredentials;
import dev.tollgate.pipeline.layout.GerritServerConfig;
import hudson.security.ACL;
import hudson.util.Secret;
import java.util.List;
import java.util.function.Supplier;
import jenkins.model.Jenkins;

/**
 * The secrets a server's stream and reviews use, looked up by credential id in Jenkins' store each
 * time a connection is made, so a rotated key or password is picked up without a restart. A missing
 * credential fails the connection with a message naming the id (never the secret).
 */
final class ServerCredentials {
    private ServerCredentials() {}

    static Supplier<SshKeyCredentials> ssh(GerritServerConfig s) {
        return () -> {
            SSHUserPrivateKey key = lookup(SSHUserPrivateKey.class, s.credentialsId(), s.name());
            List<String> keys = key.getPrivateKeys();
            if (keys.isEmpty()) {
                throw new IllegalStateException("credential `" + s.credentialsId() + "` of Gerrit server " + s.name()
                        + " holds no private key");
            }
            Secret passphrase = key.getPassphrase();
            return new SshKeyCredentials(s.username() != null ? s.username() : key.getUsername(), keys.get(0),
                    passphrase == null ? null : Secret.toString(passphrase));
        };
    }

    /** Null when the server has no REST credential of its own (a Gerrit Trigger server's are used then). */
    static Supplier<HttpCredentials> http(GerritServerConfig s) {
        if (s.restCredentialsId() == null) {
            return GerritTriggerServers.httpCredentials(s.gerritTriggerServer());
        }
        return () -> {
            StandardUsernamePasswordCredentials c =
                    lookup(StandardUsernamePasswordCredentials.class, s.restCredentialsId(), s.name());
            return new HttpCredentials(c.getUsername(), Secret.toString(c.getPassword()));
        };
    }

    private static <C extends Credentials> C lookup(Class<C> type, String id, String server) {
        C c = CredentialsMatchers.firstOrNull(
                CredentialsProvider.lookupCredentialsInItemGroup(type, Jenkins.get(), ACL.SYSTEM2, List.of()),
                CredentialsMatchers.withId(id));
        if (c == null) {
            throw new IllegalStateException("no credential `" + id + "` of type " + type.getSimpleName()
                    + " for Gerrit server " + server + " in Jenkins' global credentials");
        }
        return c;
    }
}
