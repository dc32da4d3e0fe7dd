package dev.tollgate.ec2.jenkins;

import com.cloudbees.jenkins.plugins.awscredentials.BaseAmazonWebServicesCredentials;
import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import java.io.IOException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;

/** Fixed AWS keys in Jenkins' store, for the local EC2 server (which checks that calls are signed, not by whom). */
final class TestAwsCredentials extends BaseAmazonWebServicesCredentials {
    private static final long serialVersionUID = 1L;
    static final String ID = "aws-test";

    TestAwsCredentials() {
        super(CredentialsScope.SYSTEM, ID, "local EC2 server");
    }

    /** Adds the credential to Jenkins' own store. */
    static void install() throws IOException {
        SystemCredentialsProvider store = SystemCredentialsProvider.getInstance();
        store.getCredentials().add(new TestAwsCredentials());
        store.save();
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }

    @Override
    public AwsCredentials resolveCredentials(String mfaToken) {
        return resolveCredentials();
    }

    @Override
    public String getDisplayName() {
        return ID;
    }
}
