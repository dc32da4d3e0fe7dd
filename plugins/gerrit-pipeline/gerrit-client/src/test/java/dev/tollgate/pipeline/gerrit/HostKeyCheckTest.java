package dev.tollgate.pipeline.gerrit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.Test;

public class HostKeyCheckTest {
    private static PublicKey newKey(String alg, int size) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
        g.initialize(size);
        return g.generateKeyPair().getPublic();
    }

    @Test
    public void acceptsKnownHostsAndPublicKeyLinesAndChecksTheKey() throws Exception {
        PublicKey rsa = newKey("RSA", 2048);
        PublicKey ec = newKey("EC", 256);
        String text = "# gerrit.example.org\n\n[gerrit.example.org]:29418 " + PublicKeyEntry.toString(rsa) + "\n"
                + PublicKeyEntry.toString(ec) + " host-comment\n";
        HostKeyCheck check = HostKeyCheck.parse(text);
        assertEquals(2, check.expectedFingerprints().size());
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 29418);
        assertTrue(check.verifyServerKey(null, addr, rsa));
        assertTrue(check.verifyServerKey(null, addr, ec));

        PublicKey other = newKey("RSA", 2048);
        assertFalse(check.verifyServerKey(null, addr, other));
        String msg = check.lastMismatch();
        assertTrue(msg, msg.contains("expected " + HostKeyCheck.fingerprint(rsa) + " or " + HostKeyCheck.fingerprint(ec)));
        assertTrue(msg, msg.contains("presented ssh-rsa " + HostKeyCheck.fingerprint(other)));
        assertTrue(msg, HostKeyCheck.fingerprint(other).startsWith("SHA256:"));
    }

    @Test
    public void thereIsNoAcceptAnythingDefault() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostKeyCheck.parse(""));
        assertTrue(e.getMessage(), e.getMessage().contains("no SSH host key configured"));
        assertThrows(IllegalArgumentException.class, () -> HostKeyCheck.parse(null));
        assertThrows(IllegalArgumentException.class, () -> HostKeyCheck.parse("# only a comment\n"));
        assertThrows(IllegalArgumentException.class, () -> GerritSshConfig.of("h", 29418, " "));
    }

    @Test
    public void badLinesNameTheirLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostKeyCheck.parse("# ok\nhost ssh-rsa AAAAnot-base64!!"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("host key line 2"));
        e = assertThrows(IllegalArgumentException.class, () -> HostKeyCheck.parse("just words here"));
        assertTrue(e.getMessage(), e.getMessage().contains("no public key found"));
        e = assertThrows(IllegalArgumentException.class, () -> HostKeyCheck.parse("@revoked * ssh-rsa AAAA"));
        assertTrue(e.getMessage(), e.getMessage().contains("not supported"));
    }
}
