package dev.tollgate.pipeline.merger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.ServiceMayNotContinueException;
import org.eclipse.jgit.transport.UploadPack;

/**
 * Git's smart HTTP protocol, fetch side only, on JGit's {@link UploadPack}, without a servlet
 * container: the caller (a Jenkins Stapler action, a JDK {@code HttpServer} in tests) hands in the
 * path below its git root, the query, and an {@link Exchange} over its request and response.
 * Served:
 * <ul>
 *   <li>{@code GET <repo>/info/refs?service=git-upload-pack}: the ref advertisement (protocol v0),
 *       or the capability advertisement when the client asks for protocol v2 ({@code Git-Protocol:
 *       version=2});</li>
 *   <li>{@code POST <repo>/git-upload-pack}: one negotiation round or pack (v0), one command (v2);
 *       a {@code Content-Encoding: gzip} body is read through gzip.</li>
 * </ul>
 * Anything else is refused: {@code git-receive-pack} (nothing is pushed here) with 403, the dumb
 * protocol with 403, a wrong method with 405, a wrong request type with 415. A repository name that
 * would leave the cache or names no repository is a 404, and never reads a file: names are resolved
 * only through the {@link RepositoryLookup}, which opens nothing but the cache's own repositories.
 *
 * <p>Threading: stateless apart from the lookup; serve concurrent requests from any threads.
 */
public final class GitSmartHttp {
    private static final System.Logger LOG = System.getLogger(GitSmartHttp.class.getName());
    public static final String UPLOAD_PACK = "git-upload-pack";
    static final String ADVERTISEMENT_TYPE = "application/x-git-upload-pack-advertisement";
    static final String REQUEST_TYPE = "application/x-git-upload-pack-request";
    static final String RESULT_TYPE = "application/x-git-upload-pack-result";
    private static final String INFO_REFS = "/info/refs";

    /** One HTTP request and its response; headers and status are set before the body is written. */
    public interface Exchange {
        /** {@code GET}, {@code POST}, ... */
        String method();

        /** A request header, or null. */
        String requestHeader(String name);

        InputStream requestBody() throws IOException;

        void responseHeader(String name, String value);

        /** Sends the status and the headers set so far; the response body follows. */
        OutputStream respond(int status) throws IOException;
    }

    private final RepositoryLookup repositories;

    public GitSmartHttp(RepositoryLookup repositories) {
        this.repositories = Objects.requireNonNull(repositories, "repositories");
    }

    /**
     * Serves one request.
     *
     * @param path  the path below the git root, e.g. {@code review/openstack/nova.git/info/refs}
     * @param query the raw query string, or null
     */
    public void serve(String path, String query, Exchange ex) throws IOException {
        String p = path == null ? "" : path.replaceAll("^/+", "");
        if (p.endsWith(INFO_REFS)) {
            if (!ex.method().equals("GET") && !ex.method().equals("HEAD")) {
                plain(ex, 405, "use GET for info/refs");
                return;
            }
            String service = service(query);
            if (service == null) {
                plain(ex, 403, "only git's smart HTTP protocol is served (git 1.6.6 or newer)");
                return;
            }
            if (!service.equals(UPLOAD_PACK)) {
                plain(ex, 403, "only fetching is served (" + UPLOAD_PACK + ")");
                return;
            }
            Optional<Repository> repo = repository(p.substring(0, p.length() - INFO_REFS.length()));
            if (repo.isEmpty()) {
                plain(ex, 404, "no such repository");
                return;
            }
            advertise(repo.get(), ex);
        } else if (p.endsWith("/" + UPLOAD_PACK)) {
            if (!ex.method().equals("POST")) {
                plain(ex, 405, "use POST for " + UPLOAD_PACK);
                return;
            }
            String type = ex.requestHeader("Content-Type");
            if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(REQUEST_TYPE)) {
                plain(ex, 415, "expected a request of type " + REQUEST_TYPE);
                return;
            }
            Optional<Repository> repo = repository(p.substring(0, p.length() - UPLOAD_PACK.length() - 1));
            if (repo.isEmpty()) {
                plain(ex, 404, "no such repository");
                return;
            }
            upload(repo.get(), ex);
        } else if (p.endsWith("/git-receive-pack")) {
            plain(ex, 403, "only fetching is served (" + UPLOAD_PACK + ")");
        } else {
            plain(ex, 404, "not found");
        }
    }

    private Optional<Repository> repository(String name) {
        if (name.isEmpty()) {
            return Optional.empty();
        }
        try {
            return repositories.find(name);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot open served repository {0}: {1}", name, e.toString());
            return Optional.empty();
        }
    }

    private static String service(String query) {
        if (query == null) {
            return null;
        }
        for (String kv : query.split("&")) {
            if (kv.startsWith("service=")) {
                return kv.substring("service=".length());
            }
        }
        return null;
    }

    private static UploadPack uploadPack(Repository repo, Exchange ex) {
        UploadPack up = new UploadPack(repo);
        up.setBiDirectionalPipe(false); // HTTP: one request, one answer; the client keeps the state
        String protocol = ex.requestHeader("Git-Protocol");
        if (protocol != null && !protocol.isBlank()) {
            up.setExtraParameters(Arrays.asList(protocol.split(":")));
        }
        return up;
    }

    private static void advertise(Repository repo, Exchange ex) throws IOException {
        UploadPack up = uploadPack(repo, ex);
        noCache(ex);
        ex.responseHeader("Content-Type", ADVERTISEMENT_TYPE);
        try (OutputStream out = ex.respond(200)) {
            PacketLineOut pkt = new PacketLineOut(out);
            // with v2 UploadPack writes only its capabilities; for v0 the service line and a flush come first
            up.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(pkt), UPLOAD_PACK);
            out.flush();
        } catch (ServiceMayNotContinueException e) {
            LOG.log(System.Logger.Level.WARNING, "ref advertisement of {0} stopped: {1}", repo.getDirectory(), e.getMessage());
        } finally {
            up.getRevWalk().close();
        }
    }

    private static void upload(Repository repo, Exchange ex) throws IOException {
        UploadPack up = uploadPack(repo, ex);
        InputStream in = new SkipByReading(ex.requestBody());
        String encoding = ex.requestHeader("Content-Encoding");
        if (encoding != null && (encoding.equalsIgnoreCase("gzip") || encoding.equalsIgnoreCase("x-gzip"))) {
            in = new GZIPInputStream(in);
        }
        noCache(ex);
        ex.responseHeader("Content-Type", RESULT_TYPE);
        try (InputStream body = in; OutputStream out = ex.respond(200)) {
            up.upload(body, out, null);
            out.flush();
        } catch (IOException e) {
            // the status is sent: the client sees a cut pack and fails; the server logs why
            LOG.log(System.Logger.Level.WARNING, "upload-pack of " + repo.getDirectory() + " failed: " + e
                    + (e.getCause() == null ? "" : " (" + e.getCause() + ")"), e);
        }
    }

    /**
     * A request body whose {@code skip} reads. UploadPack discards the rest of a protocol v2 request
     * with {@code skip}; some containers' length-limited body streams pass {@code skip} through to
     * the connection (the JDK's {@code HttpServer} does), which then waits for bytes the client never
     * sends. Reading stops at the body's end.
     */
    private static final class SkipByReading extends java.io.FilterInputStream {
        SkipByReading(InputStream in) {
            super(in);
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(Math.max(n, 0), 8192)];
            int r = buf.length == 0 ? 0 : in.read(buf, 0, buf.length);
            return Math.max(r, 0);
        }
    }

    private static void noCache(Exchange ex) {
        ex.responseHeader("Cache-Control", "no-cache, max-age=0, must-revalidate");
        ex.responseHeader("Pragma", "no-cache");
        ex.responseHeader("Expires", "Fri, 01 Jan 1980 00:00:00 GMT");
    }

    private static void plain(Exchange ex, int status, String message) throws IOException {
        ex.responseHeader("Content-Type", "text/plain; charset=UTF-8");
        try (OutputStream out = ex.respond(status)) {
            out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }
}
