package dev.tollgate.logs;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One log server (the seed's "SCP repository host"): where logs go over SSH, as whom, which host key
 * it must show, and the public URL base ({@code LOG_URL_BASE}) that serves {@link #rootPath()}.
 * Holds no secret: {@link #credentialId()} is resolved through a {@link CredentialSource}.
 */
public record LogHost(String name, String host, int port, String rootPath, String user, String credentialId,
        HostKeyPin hostKey, URI urlBase) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,253}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._][A-Za-z0-9._-]{0,31}\\$?");

    public LogHost {
        Map<String, String> problems = new LinkedHashMap<>();
        check(problems, "name", nameProblem(name));
        check(problems, "host", hostProblem(host));
        check(problems, "port", portProblem(port));
        if (rootPath != null && rootPath.startsWith("/") && !rootPath.equals("/") && rootPathProblem(rootPath) == null) {
            rootPath = "/" + RemoteNames.normaliseRelative("root path", rootPath.substring(1));
        }
        check(problems, "rootPath", rootPathProblem(rootPath));
        check(problems, "user", userProblem(user));
        check(problems, "credentialId", credentialIdProblem(credentialId));
        check(problems, "hostKey", hostKey == null ? "host key is missing: unchecked host keys are not allowed" : null);
        check(problems, "urlBase", urlBaseProblem(urlBase));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("log host '" + show(name) + "' is invalid: "
                    + String.join("; ", problems.values()));
        }
    }

    /**
     * What is wrong with these configuration values, by the field each problem concerns (the
     * component names of this record), in field order; empty when {@link #of} takes them. For
     * configuration pages and {@code tollgate validate}, which report each problem at its own key.
     */
    public static Map<String, String> problems(String name, String host, int port, String rootPath, String user,
            String credentialId, String hostKey, String urlBase) {
        Map<String, String> problems = new LinkedHashMap<>();
        check(problems, "name", nameProblem(name));
        check(problems, "host", hostProblem(host));
        check(problems, "port", portProblem(port));
        check(problems, "rootPath", rootPathProblem(rootPath));
        check(problems, "user", userProblem(user));
        check(problems, "credentialId", credentialIdProblem(credentialId));
        try {
            HostKeyPin.parse(hostKey);
        } catch (IllegalArgumentException e) {
            problems.put("hostKey", e.getMessage());
        }
        try {
            check(problems, "urlBase", urlBaseProblem(URI.create(urlBase == null ? "" : urlBase.trim())));
        } catch (IllegalArgumentException e) {
            problems.put("urlBase", "URL base '" + show(urlBase) + "' is not a URL");
        }
        return problems;
    }

    private static void check(Map<String, String> problems, String field, String problem) {
        if (problem != null) {
            problems.put(field, problem);
        }
    }

    private static String nameProblem(String name) {
        return name == null || !NAME.matcher(name).matches()
                ? "name '" + show(name) + "' must be 1-64 letters, digits, '.', '_' or '-'" : null;
    }

    private static String hostProblem(String host) {
        return host == null || !HOST.matcher(host).matches()
                ? "host '" + show(host) + "' must be a host name or IP address" : null;
    }

    private static String portProblem(int port) {
        return port < 1 || port > 65535 ? "port " + port + " is outside 1-65535" : null;
    }

    private static String rootPathProblem(String rootPath) {
        if (rootPath == null || !rootPath.startsWith("/")) {
            return "root path '" + show(rootPath) + "' must be an absolute path on the server";
        }
        if (!rootPath.equals("/")) {
            try {
                RemoteNames.normaliseRelative("root path", rootPath.substring(1));
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    private static String userProblem(String user) {
        return user == null || !USER.matcher(user).matches()
                ? "user '" + show(user) + "' must be a login name (letters, digits, '.', '_', '-')" : null;
    }

    private static String credentialIdProblem(String credentialId) {
        return credentialId == null || credentialId.isBlank()
                ? "credential id is missing (a password or private key supplied by the credential store)" : null;
    }

    private static String urlBaseProblem(URI urlBase) {
        if (urlBase == null || urlBase.getScheme() == null || urlBase.getHost() == null
                || !(urlBase.getScheme().equals("http") || urlBase.getScheme().equals("https"))) {
            return "URL base '" + urlBase + "' must be an absolute http(s) URL (LOG_URL_BASE)";
        }
        if (urlBase.getQuery() != null || urlBase.getFragment() != null) {
            return "URL base '" + urlBase + "' must not have a query or fragment";
        }
        return null;
    }

    /** Builds from configuration text; the host key is parsed by {@link HostKeyPin#parse}. */
    public static LogHost of(String name, String host, int port, String rootPath, String user, String credentialId,
            String hostKey, String urlBase) {
        HostKeyPin pin;
        try {
            pin = HostKeyPin.parse(hostKey);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("log host '" + show(name) + "' is invalid: " + e.getMessage(), e);
        }
        URI url;
        try {
            url = URI.create(urlBase == null ? "" : urlBase.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("log host '" + show(name) + "' is invalid: URL base '"
                    + show(urlBase) + "' is not a URL", e);
        }
        return new LogHost(name, host, port, rootPath, user, credentialId, pin, url);
    }

    /**
     * The public URL of a directory under the root, ending with '/'. Each path segment is
     * percent-encoded (RFC 3986: everything but the unreserved characters, as UTF-8), so a folder
     * named {@code %2e%2e} or {@code a?b} is addressed as itself and never as a parent, query or
     * fragment.
     */
    public String urlOf(String relativeDir) {
        StringBuilder b = new StringBuilder(urlBase.toString());
        if (b.charAt(b.length() - 1) != '/') {
            b.append('/');
        }
        for (String segment : relativeDir.split("/")) {
            if (!segment.isEmpty()) {
                encodeSegment(segment, b);
                b.append('/');
            }
        }
        return b.toString();
    }

    private static void encodeSegment(String segment, StringBuilder out) {
        for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The absolute remote path of something under the root. */
    public String remotePath(String relative) {
        return rootPath.equals("/") ? "/" + relative : rootPath + "/" + relative;
    }

    private static String show(String s) {
        return s == null ? "" : RemoteNames.printable(s);
    }
}
