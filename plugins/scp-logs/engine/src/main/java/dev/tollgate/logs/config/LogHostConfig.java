package dev.tollgate.logs.config;

import dev.tollgate.common.config.Schema;
import dev.tollgate.logs.LogHost;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One log server of the registry, as configured (JCasC {@code unclassified: tollgateScpLogs: hosts:},
 * the global configuration page): where logs go over SSH, as whom, which host key it must show, and
 * the public URL that serves the root path. The secret is never here: {@code credentialsId} names an
 * SSH private-key or username/password credential of the Jenkins credentials store.
 *
 * @param name          the host's name in jobs ({@code scpLogs(logHost: NAME)}) and messages
 * @param host          the SSH server
 * @param port          its SSH port
 * @param rootPath      the directory on the server that {@code urlBase} serves; each build's logs go to
 *                      a folder under it (the destination, {@code LOG_PATH} by default)
 * @param user          the login name (the seed's SCP user)
 * @param credentialsId an SSH private key or a password of that user, by credential id
 * @param hostKey       the server's public host key, pinned: an OpenSSH public key line
 *                      ({@code ssh-keyscan -t ed25519 HOST}), a known_hosts line or a SHA256 fingerprint
 * @param urlBase       the public URL of the root path ({@code LOG_URL_BASE}); a build's log URL is
 *                      {@code urlBase/destination/}
 */
public record LogHostConfig(@Schema.Required String name,
                            @Schema.Required("the log server's SSH host name or address") String host,
                            @Schema.Default("22") int port,
                            @Schema.Required("the directory on the log server that urlBase serves") String rootPath,
                            @Schema.Required("the login name on the log server") String user,
                            @Schema.Required("an SSH private-key or username/password credential of that user")
                            String credentialsId,
                            @Schema.Required("the log server's public host key, pinned (from `ssh-keyscan -t ed25519 HOST`)")
                            String hostKey,
                            @Schema.Required("the public URL of the root path (LOG_URL_BASE)") String urlBase) {
    public static final int DEFAULT_PORT = 22;

    /**
     * What is wrong with the values, by this record's key, in key order; empty when {@link #toLogHost}
     * takes them. A value that is one JCasC variable ({@code ${LOG_SERVER_HOST_KEY}}) stands for a value
     * JCasC fills in when it loads the file: it is not checked here (the plugin checks the loaded value).
     */
    public Map<String, String> problems() {
        Map<String, String> byField = LogHost.problems(name, orSample(host, "logs.example.org"), port,
                orSample(rootPath, "/logs"), orSample(user, "logs"), credentialsId,
                orSample(hostKey, SAMPLE_KEY), orSample(urlBase, "http://logs.example.org/"));
        Map<String, String> out = new LinkedHashMap<>();
        byField.forEach((field, problem) -> out.put(field.equals("credentialId") ? "credentialsId" : field, problem));
        return out;
    }

    /** The engine's log host; {@link IllegalArgumentException} naming every problem. */
    public LogHost toLogHost() {
        return LogHost.of(name, host, port, rootPath, user, credentialsId, hostKey, urlBase);
    }

    /** A valid key line, checked in place of a JCasC variable. */
    private static final String SAMPLE_KEY =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHu1jKFzGxr0u7gUfy5JKbq9C6P0H3YWnKeyxyzabcde";

    private static String orSample(String value, String sample) {
        return isJcascVariable(value) ? sample : value;
    }

    /** Is the whole value one JCasC variable ({@code ${NAME}}, {@code ${NAME:-default}})? */
    static boolean isJcascVariable(String value) {
        return value != null && value.strip().matches("\\$\\{[^{}]+}");
    }
}
