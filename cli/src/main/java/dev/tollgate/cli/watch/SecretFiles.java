package dev.tollgate.cli.watch;

import dev.tollgate.pipeline.gerrit.HttpCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.Iterator;
import java.util.Set;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Reads the files that hold secrets: the SSH private key and the HTTP credentials. A file that
 * others may read is refused (the HTTP credentials) or warned about (the key, as OpenSSH's own
 * check would stop it); a missing, unreadable or malformed file is one clear message. No message
 * ever quotes a file's content. Stateless.
 */
final class SecretFiles {
    /** The environment variable that holds the key's passphrase, for an encrypted key. */
    static final String PASSPHRASE_VARIABLE = "TOLLGATE_SSH_KEY_PASSPHRASE";
    private static final long MAX_BYTES = 64 * 1024; // far above any key or credentials line

    /** A file that cannot be used; the message names the file and says why. */
    static final class Unusable extends Exception {
        Unusable(String message) {
            super(message);
        }
    }

    private SecretFiles() {
    }

    /**
     * The private key's text, loaded once here (with {@code passphrase}, may be null) so that a bad
     * key is told before any connection. Warns on {@code warnings} when group or others may read it.
     */
    static String privateKey(Path file, String passphrase, StringBuilder warnings) throws Unusable {
        String text = read(file, "SSH private key");
        try {
            FilePasswordProvider pw = passphrase == null ? FilePasswordProvider.EMPTY
                    : FilePasswordProvider.of(passphrase);
            Iterable<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()),
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), pw);
            Iterator<KeyPair> it = keys == null ? null : keys.iterator();
            if (it == null || !it.hasNext()) {
                throw new Unusable(file + ": not an SSH private key (OpenSSH `-----BEGIN OPENSSH PRIVATE KEY-----` "
                        + "or PEM form expected; is it the public key?)");
            }
        } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
            throw new Unusable(file + ": cannot read the SSH private key: " + describe(e)
                    + (passphrase == null ? " (an encrypted key needs its passphrase in " + PASSPHRASE_VARIABLE + ")"
                            : " (is " + PASSPHRASE_VARIABLE + " its passphrase?)"));
        }
        Set<PosixFilePermission> perms = permissions(file);
        if (perms != null && (perms.contains(PosixFilePermission.GROUP_READ)
                || perms.contains(PosixFilePermission.OTHERS_READ))) {
            warnings.append(file).append(": the SSH private key may be read by other users; "
                    + "`chmod 600 ").append(file).append("` (OpenSSH would refuse it)\n");
        }
        return text;
    }

    /**
     * The HTTP credentials: the first line that is neither blank nor a {@code #} comment, in the form
     * {@code USER:PASSWORD} (the password is the rest of the line, colons included). Refused when
     * others may read the file; a warning when its group may.
     */
    static HttpCredentials httpCredentials(Path file, StringBuilder warnings) throws Unusable {
        Set<PosixFilePermission> perms = permissions(file);
        String text = read(file, "HTTP credentials");
        if (perms != null && (perms.contains(PosixFilePermission.OTHERS_READ)
                || perms.contains(PosixFilePermission.OTHERS_WRITE))) {
            throw new Unusable(file + ": the HTTP credentials file may be read or changed by any user: refused; "
                    + "`chmod 600 " + file + "`");
        }
        if (perms != null && perms.contains(PosixFilePermission.GROUP_READ)) {
            warnings.append(file).append(": the HTTP credentials file may be read by its group; `chmod 600 ")
                    .append(file).append("`\n");
        }
        int lineNo = 0;
        for (String line : text.split("\r?\n", -1)) {
            lineNo++;
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String user = colon < 0 ? "" : line.substring(0, colon).strip();
            String password = colon < 0 ? "" : line.substring(colon + 1);
            if (user.isEmpty() || password.isEmpty()) {
                // the line is not quoted: it may be a bare password
                throw new Unusable(file + ":" + lineNo + ": expected USER:PASSWORD (Gerrit's HTTP password, "
                        + "Settings → HTTP Credentials)");
            }
            return new HttpCredentials(user, password);
        }
        throw new Unusable(file + ": no USER:PASSWORD line");
    }

    static String read(Path file, String what) throws Unusable {
        try {
            if (Files.isDirectory(file)) {
                throw new Unusable(file + ": a directory, not the " + what + " file");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new Unusable(file + ": larger than " + MAX_BYTES + " bytes: not a " + what + " file");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Unusable(file + ": no such file (the " + what + ")");
        } catch (AccessDeniedException e) {
            throw new Unusable(file + ": permission denied (the " + what + ")");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new Unusable(file + ": not text (UTF-8): not a " + what + " file");
        } catch (IOException e) {
            throw new Unusable(file + ": cannot read the " + what + ": " + describe(e));
        }
    }

    /** The file's POSIX permissions, or null where the file system has none. */
    private static Set<PosixFilePermission> permissions(Path file) {
        try {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            return view == null ? null : view.readAttributes().permissions();
        } catch (IOException e) {
            return null; // read() says what is wrong with the file
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
