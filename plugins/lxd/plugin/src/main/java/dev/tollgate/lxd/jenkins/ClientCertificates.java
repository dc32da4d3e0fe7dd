package dev.tollgate.lxd.jenkins;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCertificateCredentials;
import dev.tollgate.lxd.LxdEndpoint;
import hudson.security.ACL;
import java.security.GeneralSecurityException;
import java.util.List;
import jenkins.model.Jenkins;

/**
 * The controller's client certificate for a remote LXD daemon: a certificate credential (PKCS#12 key
 * store and its password) of Jenkins' own store, the cloud being the administrators' and not a
 * job's. Read when the driver is built; the key never leaves the controller, and neither it nor the
 * password is logged or put into a message. Stateless.
 */
final class ClientCertificates {
    private ClientCertificates() {
    }

    /** The credential with this id, or null. */
    static StandardCertificateCredentials lookup(String credentialsId) {
        return CredentialsMatchers.firstOrNull(CredentialsProvider.lookupCredentialsInItemGroup(
                StandardCertificateCredentials.class, Jenkins.get(), ACL.SYSTEM2, List.of()),
                CredentialsMatchers.withId(credentialsId));
    }

    /**
     * The certificate and key of the credential, as the engine's HTTPS endpoint takes them.
     *
     * @throws IllegalStateException no such credential, or its key store cannot be read (naming the id only)
     */
    static LxdEndpoint.ClientCertificate of(String credentialsId) {
        StandardCertificateCredentials c = lookup(credentialsId);
        if (c == null) {
            throw new IllegalStateException("no certificate credentials with id '" + credentialsId + "'");
        }
        try {
            return LxdEndpoint.ClientCertificate.fromKeyStore(c.getKeyStore(), c.getPassword().getPlainText().toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("certificate credentials '" + credentialsId + "': " + e.getMessage(), e);
        }
    }
}
