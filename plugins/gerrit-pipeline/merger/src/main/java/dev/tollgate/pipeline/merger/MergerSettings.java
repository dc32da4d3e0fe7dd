package dev.tollgate.pipeline.merger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the merger reaches Gerrit and keeps its repositories. Immutable; {@link #toString} shows no
 * secret.
 *
 * @param cacheDir       the merger's repositories, one bare repository per project at
 *                       {@code cacheDir/<project>}; kept across restarts
 * @param gerritGitUrl   where projects are fetched from, the project's name appended after a
 *                       {@code /}: {@code ssh://USER@HOST:29418}, {@code https://HOST/a} (HTTP with
 *                       credentials), or a local directory holding one repository per project
 * @param sshPrivateKey  OpenSSH or PEM private key text for {@code ssh://} (null otherwise)
 * @param sshHostKeys    the Gerrit server's SSH host key(s), one {@code TYPE BASE64} (or known_hosts)
 *                       line each; required for {@code ssh://}: any other key is refused
 * @param httpUser       HTTP user (null: anonymous)
 * @param httpPassword   HTTP password or token (null: anonymous)
 * @param committerName  name on the merge commits (Zuul v2's {@code git_user_name})
 * @param committerEmail e-mail on the merge commits (Zuul v2's {@code git_user_email})
 * @param zuulRefMaxAge  {@code refs/zuul/*} older than this are pruned by {@link GitMerger#prune}
 * @param maxCacheBytes  above this size on disk, {@link GitMerger#prune} removes the least recently used
 *                       repositories (fetched again on their next use)
 */
public record MergerSettings(Path cacheDir, String gerritGitUrl, String sshPrivateKey, String sshHostKeys,
                             String httpUser, String httpPassword, String committerName, String committerEmail,
                             Duration zuulRefMaxAge, long maxCacheBytes) {
    public static final Duration DEFAULT_ZUUL_REF_MAX_AGE = Duration.ofDays(2);
    public static final long DEFAULT_MAX_CACHE_BYTES = 50L << 30;

    public MergerSettings {
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(gerritGitUrl, "gerritGitUrl");
        committerName = committerName == null ? "Tollgate Merger" : committerName;
        committerEmail = committerEmail == null ? "merger@tollgate.invalid" : committerEmail;
        zuulRefMaxAge = zuulRefMaxAge == null ? DEFAULT_ZUUL_REF_MAX_AGE : zuulRefMaxAge;
        maxCacheBytes = maxCacheBytes <= 0 ? DEFAULT_MAX_CACHE_BYTES : maxCacheBytes;
        if (gerritGitUrl.startsWith("ssh://") && (sshHostKeys == null || sshHostKeys.isBlank())) {
            throw new IllegalArgumentException("an ssh:// Gerrit URL needs the server's host key (sshHostKeys): "
                    + "the merger accepts no unknown host");
        }
    }

    /** Fetching from a local directory of repositories (a stand-in for Gerrit, e.g. {@code tollgate simulate}). */
    public static MergerSettings local(Path cacheDir, Path gitRoot) {
        return new MergerSettings(cacheDir, gitRoot.toAbsolutePath().toString(), null, null, null, null, null, null,
                null, 0);
    }

    public MergerSettings withSsh(String privateKey, String hostKeys) {
        return new MergerSettings(cacheDir, gerritGitUrl, privateKey, hostKeys, httpUser, httpPassword, committerName,
                committerEmail, zuulRefMaxAge, maxCacheBytes);
    }

    public MergerSettings withHttp(String user, String password) {
        return new MergerSettings(cacheDir, gerritGitUrl, sshPrivateKey, sshHostKeys, user, password, committerName,
                committerEmail, zuulRefMaxAge, maxCacheBytes);
    }

    public MergerSettings withLimits(Duration refMaxAge, long cacheBytes) {
        return new MergerSettings(cacheDir, gerritGitUrl, sshPrivateKey, sshHostKeys, httpUser, httpPassword,
                committerName, committerEmail, refMaxAge, cacheBytes);
    }

    /** The URL (or path) a project is fetched from. */
    String projectUrl(String project) {
        return gerritGitUrl.endsWith("/") ? gerritGitUrl + project : gerritGitUrl + "/" + project;
    }

    @Override
    public String toString() {
        return "MergerSettings[cacheDir=" + cacheDir + ", gerritGitUrl=" + gerritGitUrl
                + ", sshPrivateKey=" + (sshPrivateKey == null ? "none" : "(set)")
                + ", httpUser=" + httpUser + ", httpPassword=" + (httpPassword == null ? "none" : "(set)")
                + ", committer=" + committerName + " <" + committerEmail + ">, zuulRefMaxAge=" + zuulRefMaxAge
                + ", maxCacheBytes=" + maxCacheBytes + "]";
    }
}
