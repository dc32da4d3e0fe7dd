package dev.tollgate.ec2.jenkins;

import com.cloudbees.jenkins.plugins.awscredentials.AmazonWebServicesCredentials;
import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import dev.tollgate.ec2.Ec2Credentials;
import hudson.security.ACL;
import java.util.List;
import jenkins.model.Jenkins;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The engine's {@link Ec2Credentials} from the AWS Credentials plugin: the credential with this id
 * in Jenkins' own store (the cloud is the administrators', not a job's), looked up and resolved on
 * every signing, so replaced keys and renewed role sessions are picked up. Never logs or shows a
 * key; a missing credential fails the call naming only its id. Thread-safe (stateless).
 */
final class AwsCredentialsKeys implements Ec2Credentials {
    private final String credentialsId;

    AwsCredentialsKeys(String credentialsId) {
        this.credentialsId = credentialsId;
    }

    /** The credential with this id, or null. */
    static AmazonWebServicesCredentials lookup(String credentialsId) {
        return CredentialsMatchers.firstOrNull(CredentialsProvider.lookupCredentialsInItemGroup(
                AmazonWebServicesCredentials.class, Jenkins.get(), ACL.SYSTEM2, List.of()),
                CredentialsMatchers.withId(credentialsId));
    }

    @Override
    public Keys current() {
        AmazonWebServicesCredentials c = lookup(credentialsId);
        if (c == null) {
            throw new IllegalStateException("no AWS credentials with id '" + credentialsId + "'");
        }
        AwsCredentials k = c.resolveCredentials();
        return new Keys(k.accessKeyId(), k.secretAccessKey(),
                k instanceof AwsSessionCredentials s ? s.sessionToken() : null);
    }

    @Override
    public String toString() {
        return "AwsCredentialsKeys[" + credentialsId + "]";
    }
}
