package dev.tollgate.logs;

import static org.junit.Assert.assertTrue;

import dev.tollgate.testing.Peers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * An Ed25519 key pair made by OpenSSH's {@code ssh-keygen} (so in OpenSSH's own key format), for the
 * tests' logins to the embedded and the OpenSSH log servers.
 *
 * @param privateKey the private key file's text
 * @param publicKey  the public key line, for {@code authorized_keys}
 */
record ClientKey(String privateKey, String publicKey) {
    /** A new key pair, written into {@code dir} as {@code id} and {@code id.pub}. */
    static ClientKey generate(Path dir) throws Exception {
        Path keygen = Peers.requireExecutable("openssh-client", "/usr/bin/ssh-keygen");
        Process p = new ProcessBuilder(keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-f",
                dir.resolve("id").toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new ClientKey(Files.readString(dir.resolve("id"), StandardCharsets.US_ASCII),
                Files.readString(dir.resolve("id.pub"), StandardCharsets.US_ASCII).trim());
    }
}
