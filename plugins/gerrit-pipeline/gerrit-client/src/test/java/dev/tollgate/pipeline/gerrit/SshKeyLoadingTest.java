package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.tollgate.testing.Peers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Private keys as ssh-keygen writes them: OpenSSH and PEM forms, with and without passphrase. */
public class SshKeyLoadingTest {
    @ClassRule
    public static final TemporaryFolder tmp = new TemporaryFolder();

    private static String keygen(String... args) throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Path key = tmp.newFolder().toPath().resolve("key");
        List<String> cmd = new ArrayList<>(List.of(keygen.toString(), "-q", "-f", key.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return Files.readString(key);
    }

    private static KeyPair load(String key, String passphrase) throws Exception {
        return GerritSsh.loadKeys(null, new SshKeyCredentials("ci", key, passphrase)).iterator().next();
    }

    @Test
    public void openSshEd25519WithAndWithoutPassphrase() throws Exception {
        String plain = keygen("-t", "ed25519", "-N", "");
        assertTrue(plain.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assertEquals("ssh-ed25519", KeyUtils.getKeyType(load(plain, null)));
        String locked = keygen("-t", "ed25519", "-N", "correct horse");
        assertEquals("ssh-ed25519", KeyUtils.getKeyType(load(locked, "correct horse")));
    }

    @Test
    public void pemRsaAndEcdsaWithAndWithoutPassphrase() throws Exception {
        String rsa = keygen("-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "");
        assertTrue(rsa.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        assertEquals("ssh-rsa", KeyUtils.getKeyType(load(rsa, null)));
        String ec = keygen("-t", "ecdsa", "-b", "256", "-m", "PEM", "-N", "s3cret");
        assertEquals("ecdsa-sha2-nistp256", KeyUtils.getKeyType(load(ec, "s3cret")));
    }

    @Test
    public void aWrongPassphraseOrGarbageIsAClearErrorThatShowsNoSecret() throws Exception {
        String locked = keygen("-t", "ed25519", "-N", "right");
        Exception e = assertThrows(Exception.class, () -> load(locked, "wrong"));
        assertFalse(String.valueOf(e.getMessage()).contains("OPENSSH PRIVATE KEY"));
        Exception g = assertThrows(Exception.class, () -> load("not a key at all", null));
        assertTrue(g.getMessage(), g.getMessage().contains("could not be read"));
        assertFalse(new SshKeyCredentials("ci", locked, "right").toString().contains("right"));
    }
}
