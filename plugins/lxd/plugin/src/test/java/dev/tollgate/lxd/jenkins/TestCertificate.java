package dev.tollgate.lxd.jenkins;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCertificateCredentials;
import com.cloudbees.plugins.credentials.impl.BaseStandardCredentials;
import hudson.util.Secret;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;

/**
 * A client certificate in Jenkins' store, as the Credentials plugin's certificate type holds one: a
 * PKCS#12 key store made by the JDK's keytool (an EC key and its self-signed certificate), and its
 * password.
 */
final class TestCertificate extends BaseStandardCredentials implements StandardCertificateCredentials {
    private static final long serialVersionUID = 1L;
    static final String ID = "lxd-client";
    static final String PASSWORD = "p12-password";
    private final byte[] pkcs12;

    TestCertificate(byte[] pkcs12) {
        super(CredentialsScope.SYSTEM, ID, "LXD client certificate");
        this.pkcs12 = pkcs12.clone();
    }

    /** Makes a key store in {@code dir} and adds the credential to Jenkins' own store. */
    static TestCertificate install(Path dir) throws Exception {
        Path store = dir.resolve("client.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "lxd-client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=tollgate-controller", "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", PASSWORD).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + new String(p.getInputStream().readAllBytes()));
        }
        TestCertificate c = new TestCertificate(Files.readAllBytes(store));
        SystemCredentialsProvider jenkins = SystemCredentialsProvider.getInstance();
        jenkins.getCredentials().add(c);
        jenkins.save();
        return c;
    }

    @Override
    public KeyStore getKeyStore() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(pkcs12), PASSWORD.toCharArray());
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Secret getPassword() {
        return Secret.fromString(PASSWORD);
    }
}
