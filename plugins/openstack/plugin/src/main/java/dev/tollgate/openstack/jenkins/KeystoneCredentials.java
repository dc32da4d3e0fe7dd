package dev.tollgate.openstack.jenkins;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import dev.tollgate.openstack.OpenStackCredentials;
import dev.tollgate.openstack.config.OpenStackCloudSpec;
import hudson.security.ACL;
import java.util.List;
import jenkins.model.Jenkins;

/**
 * The controller's Keystone sign-in: a username-and-password credential of Jenkins' own store (the
 * cloud being the administrators' and not a job's), read when the driver is built. Its two values
 * are a user and password, or an application credential's id and secret, as the cloud says. Neither
 * the password nor the secret is logged or put into a message. Stateless.
 */
final class KeystoneCredentials {
    private KeystoneCredentials() {
    }

    /** The credential with this id, or null. */
    static StandardUsernamePasswordCredentials lookup(String credentialsId) {
        return CredentialsMatchers.firstOrNull(CredentialsProvider.lookupCredentialsInItemGroup(
                StandardUsernamePasswordCredentials.class, Jenkins.get(), ACL.SYSTEM2, List.of()),
                CredentialsMatchers.withId(credentialsId));
    }

    /**
     * The engine's credentials for the cloud.
     *
     * @throws IllegalStateException no such credential (naming the id only)
     */
    static OpenStackCredentials of(OpenStackCloudSpec spec) {
        StandardUsernamePasswordCredentials c = lookup(spec.credentialsId());
        if (c == null) {
            throw new IllegalStateException("no username-and-password credentials with id '" + spec.credentialsId() + "'");
        }
        return spec.credentials(c.getUsername(), c.getPassword().getPlainText());
    }
}
