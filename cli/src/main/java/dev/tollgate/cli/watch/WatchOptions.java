package dev.tollgate.cli.watch;

import dev.tollgate.pipeline.simulate.Outcomes;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@code tollgate watch}, checked for form only (files are read later).
 * Immutable.
 *
 * @param gerritUser  the SSH user, from {@code ssh://USER@HOST[:PORT]}
 * @param gerritHost  Gerrit's SSH host
 * @param gerritPort  Gerrit's SSH port (29418 when the URL has none)
 * @param restUrl     Gerrit's web URL for the recovery of missed events, or null
 * @param httpCredentials the file with {@code USER:PASSWORD} for the REST URL, or null
 * @param assume      how every shadow build ends ({@link Outcomes#HOLD}: never)
 */
record WatchOptions(Path layout, String gerritUser, String gerritHost, int gerritPort, Path key, Path knownHosts,
                    String restUrl, Path httpCredentials, String assume, boolean voteDryRun) {
    static final int DEFAULT_SSH_PORT = 29418;

    /** A usage error: the message says what is wrong. */
    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    static WatchOptions parse(List<String> args) throws UsageError {
        String layout = null;
        String gerrit = null;
        String key = null;
        String knownHosts = null;
        String restUrl = null;
        String httpCredentials = null;
        String assume = Outcomes.HOLD;
        boolean voteDryRun = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--vote-dry-run")) {
                voteDryRun = true;
                continue;
            }
            if (a.startsWith("--vote-dry-run=")) {
                throw new UsageError("--vote-dry-run takes no value");
            }
            String name = a;
            String value;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else if (!a.startsWith("-")) {
                throw new UsageError("watch takes no positional argument: `" + a + "`");
            } else if (i + 1 < args.size()) {
                value = args.get(++i);
            } else {
                throw new UsageError(a + " needs a value");
            }
            switch (name) {
                case "--layout" -> layout = value;
                case "--gerrit" -> gerrit = value;
                case "--key" -> key = value;
                case "--known-hosts" -> knownHosts = value;
                case "--rest-url" -> restUrl = value;
                case "--http-credentials" -> httpCredentials = value;
                case "--assume" -> assume = value.toUpperCase(Locale.ROOT);
                default -> throw new UsageError("unknown option `" + name + "` for watch");
            }
        }
        if (layout == null) {
            throw new UsageError("watch needs --layout LAYOUT");
        }
        if (gerrit == null) {
            throw new UsageError("watch needs --gerrit ssh://USER@HOST[:PORT]");
        }
        if (key == null) {
            throw new UsageError("watch needs --key KEY (the SSH private key of the --gerrit user)");
        }
        if (knownHosts == null) {
            throw new UsageError("watch needs --known-hosts FILE (Gerrit's host key, e.g. from "
                    + "`ssh-keyscan -p 29418 HOST`): an unknown host key is never accepted");
        }
        if ((restUrl == null) != (httpCredentials == null)) {
            throw new UsageError("--rest-url and --http-credentials go together (the REST recovery of "
                    + "missed events logs in with them)");
        }
        try {
            Outcomes.all(assume);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--assume: " + e.getMessage());
        }
        URI ssh = sshUrl(gerrit);
        if (restUrl != null) {
            restUrl = checkRestUrl(restUrl);
        }
        return new WatchOptions(Path.of(layout), ssh.getUserInfo(), ssh.getHost(),
                ssh.getPort() < 0 ? DEFAULT_SSH_PORT : ssh.getPort(), Path.of(key), Path.of(knownHosts), restUrl,
                httpCredentials == null ? null : Path.of(httpCredentials), assume, voteDryRun);
    }

    private static URI sshUrl(String text) throws UsageError {
        String expected = "--gerrit must be ssh://USER@HOST[:PORT], e.g. ssh://ci-bot@review.example.org:29418";
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new UsageError(expected + " (" + e.getReason() + ")");
        }
        if (!"ssh".equals(u.getScheme())) {
            throw new UsageError(expected + ", not `" + text + "`: the scheme must be ssh");
        }
        if (u.getHost() == null) {
            throw new UsageError(expected + ", not `" + text + "`: no host (or not a valid host name)");
        }
        if (u.getUserInfo() != null && u.getUserInfo().contains(":")) {
            // the text is not repeated: it holds a password
            throw new UsageError(expected + ": no password in the URL (the stream logs in with --key only)");
        }
        if (u.getUserInfo() == null || u.getUserInfo().isEmpty()) {
            throw new UsageError(expected + ", not `" + text + "`: the user is missing");
        }
        if ((u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/"))
                || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new UsageError(expected + ", not `" + text + "`: no path, query or fragment");
        }
        if (u.getPort() == 0 || u.getPort() > 65535) {
            throw new UsageError(expected + ", not `" + text + "`: the port must be 1 to 65535");
        }
        return u;
    }

    private static String checkRestUrl(String text) throws UsageError {
        String expected = "--rest-url must be Gerrit's web URL, http(s)://HOST[:PORT][/PATH/]";
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new UsageError(expected + " (" + e.getReason() + ")");
        }
        if (u.getUserInfo() != null) {
            // the text is not repeated: it may hold a password
            throw new UsageError(expected + ": no user or password in the URL (they go in --http-credentials)");
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            throw new UsageError(expected + ", not `" + text + "`: the scheme must be http or https");
        }
        if (u.getHost() == null) {
            throw new UsageError(expected + ", not `" + text + "`: no host (or not a valid host name)");
        }
        return text.endsWith("/") ? text : text + "/";
    }
}
