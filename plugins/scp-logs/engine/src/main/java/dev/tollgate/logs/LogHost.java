package dev.tollgate.logs;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
        List<String> problems = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add("name '" + show(name) + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (host == null || !HOST.matcher(host).matches()) {
            problems.add("host '" + show(host) + "' must be a host name or IP address");
        }
        if (port < 1 || port > 65535) {
            problems.add("port " + port + " is outside 1-65535");
        }
        if (rootPath == null || !rootPath.startsWith("/")) {
            problems.add("root path '" + show(rootPath) + "' must be an absolute path on the server");
        } else if (!rootPath.equals("/")) {
            try {
                rootPath = "/" + RemoteNames.normaliseRelative("root path", rootPath.substring(1));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        if (user == null || !USER.matcher(user).matches()) {
            problems.add("user '" + show(user) + "' must be a login name (letters, digits, '.', '_', '-')");
        }
        if (credentialId == null || credentialId.isBlank()) {
            problems.add("credential id is missing (a password or private key supplied by the credential store)");
        }
        if (hostKey == null) {
            problems.add("host key is missing: unchecked host keys are not allowed");
        }
        if (urlBase == null || urlBase.getScheme() == null || urlBase.getHost() == null
                || !(urlBase.getScheme().equals("http") || urlBase.getScheme().equals("https"))) {
            problems.add("URL base '" + urlBase + "' must be an absolute http(s) URL (LOG_URL_BASE)");
        } else if (urlBase.getQuery() != null || urlBase.getFragment() != null) {
            problems.add("URL base '" + urlBase + "' must not have a query or fragment");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("log host '" + show(name) + "' is invalid: " + String.join("; ", problems));
        }
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
