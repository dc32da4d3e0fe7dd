package dev.tollgate.logs.jenkins;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardUsernameCredentials;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import dev.tollgate.logs.Credential;
import dev.tollgate.logs.CredentialSource;
import hudson.security.ACL;
import hudson.util.Secret;
import java.io.IOException;
import java.util.List;
import jenkins.model.Jenkins;

/**
 * The engine's {@link CredentialSource}: a log host's credential id looked up in Jenkins' own
 * credentials store, as the system, at each connection (a rotated key is used at once). The
 * credential belongs to the log host, which only administrators configure, and not to the job that
 * publishes: so it is looked up in Jenkins' own context (SYSTEM scope included, which no job can
 * reach), never in the build's. Runs on the controller only; the secret never leaves it. Stateless.
 */
public final class JenkinsCredentialSource implements CredentialSource {
    @Override
    public Credential credential(String credentialId) throws IOException {
        StandardUsernameCredentials c = CredentialsMatchers.firstOrNull(
                CredentialsProvider.lookupCredentialsInItemGroup(StandardUsernameCredentials.class, Jenkins.get(),
                        ACL.SYSTEM2, List.of()),
                CredentialsMatchers.withId(credentialId));
        if (c == null) {
            return null;
        }
        if (c instanceof SSHUserPrivateKey key) {
            List<String> keys = key.getPrivateKeys();
            if (keys.isEmpty()) {
                throw new IOException("credential '" + credentialId + "' holds no private key");
            }
            Secret passphrase = key.getPassphrase();
            return Credential.privateKey(keys.get(0), passphrase == null || Secret.toString(passphrase).isEmpty()
                    ? null : Secret.toString(passphrase).toCharArray());
        }
        if (c instanceof StandardUsernamePasswordCredentials password) {
            return Credential.password(Secret.toString(password.getPassword()).toCharArray());
        }
        throw new IOException("credential '" + credentialId + "' is a " + c.getClass().getSimpleName()
                + ", neither an SSH private key nor a username with password");
    }
}
