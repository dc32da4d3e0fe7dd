package dev.tollgate.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.testing.Peers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.types.Facing;
import org.openstack4j.model.common.Identifier;
import org.openstack4j.openstack.OSFactory;

/**
 * The real OpenStack control plane (Keystone, Placement, Glance, Neutron, Nova with the fake virt
 * driver) from {@code test-peers/openstack/openstack-peer.py}, started once per test JVM on free ports
 * in a temporary directory and stopped when the JVM exits. Readiness is the launcher's READY line,
 * written after every API answered and the compute host was mapped. A peer that cannot start fails
 * the test with the launcher's log; it never skips. {@code -DopenstackPeer.ready=DIR/ready.json} (or the
 * environment variable {@code OPENSTACK_PEER_READY}) uses a peer started by hand instead.
 *
 * <p>Thread-safe. {@link #peerClient()} is a client of the test project's user, independent of the
 * driver under test, for looking at the peer directly.
 */
final class OpenStackPeer {
    /** Debian's interpreter: the OpenStack libraries are Debian packages, installed for it only. */
    static final String PYTHON = "/usr/bin/python3";
    /**
     * Making the schema cache (the first start on a machine, e.g. a fresh CI machine: 2.5 min on the
     * loaded 2-core machine) is bounded separately from the start proper, which the launcher bounds
     * itself (240 s from its databases being ready); the second bound leaves it a minute more.
     */
    private static final long DATABASES_MINUTES = 15;
    private static final long START_MINUTES = 5;
    private static OpenStackPeer shared;

    final Path dir;
    final JsonNode ready;
    private final Process process;

    private OpenStackPeer(Path dir, JsonNode ready, Process process) {
        this.dir = dir;
        this.ready = ready;
        this.process = process;
    }

    /** The JVM's peer, started on first use. */
    static synchronized OpenStackPeer shared() throws Exception {
        String attach = System.getProperty("openstackPeer.ready", System.getenv("OPENSTACK_PEER_READY"));
        if (shared == null && attach != null && !attach.isBlank()) {
            // a peer someone started by hand (openstack-peer.py run --dir D): reuse it, never stop it
            shared = new OpenStackPeer(Path.of(attach).getParent(), new ObjectMapper().readTree(Path.of(attach).toFile()), null);
            return shared;
        }
        if (shared == null) {
            shared = start();
            OpenStackPeer p = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(p::stop, "openstack-peer-stop"));
        }
        return shared;
    }

    static Path script() {
        Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (; d != null; d = d.getParent()) {
            Path s = d.resolve("test-peers/openstack/openstack-peer.py");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new AssertionError("test-peers/openstack/openstack-peer.py not found above " + System.getProperty("user.dir"));
    }

    /** A new peer (the 20-cold-starts loop uses this; tests use {@link #shared()}). */
    static OpenStackPeer start() throws Exception {
        Path python = Peers.requireExecutable("python3-keystone python3-nova python3-glance python3-placement python3-neutron", PYTHON);
        Path dir = Files.createTempDirectory("openstack-peer");
        Path readyFile = dir.resolve("ready.json");
        Path log = dir.resolve("launcher.log");
        Process p = new ProcessBuilder(python.toString(), script().toString(), "run", "--dir", dir.toString(),
                "--ready-file", readyFile.toString()).redirectErrorStream(true).start();
        CompletableFuture<Void> databasesReady = new CompletableFuture<>();
        CompletableFuture<Void> readyLine = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 Writer w = Files.newBufferedWriter(log)) {
                for (String line; (line = r.readLine()) != null; ) {
                    w.write(line + "\n");
                    w.flush();
                    if (line.endsWith("] databases ready")) {
                        databasesReady.complete(null);
                    }
                    if (line.equals("READY")) {
                        readyLine.complete(null);
                    }
                }
            } catch (IOException e) {
                readyLine.completeExceptionally(e);
            }
            databasesReady.completeExceptionally(new IllegalStateException("the launcher exited before its databases were ready"));
            readyLine.completeExceptionally(new IllegalStateException("the launcher exited before READY"));
        }, "openstack-peer-log");
        reader.setDaemon(true);
        reader.start();
        try {
            databasesReady.get(DATABASES_MINUTES, TimeUnit.MINUTES);
            readyLine.get(START_MINUTES, TimeUnit.MINUTES);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            Peers.stop(p);
            String tail = Files.exists(log) ? Files.readString(log) : "(no log)";
            throw new AssertionError("the OpenStack test peer did not start (" + e.getMessage() + "); logs in " + dir
                    + "/log; launcher output:\n" + tail, e);
        }
        JsonNode ready = new ObjectMapper().readTree(readyFile.toFile());
        return new OpenStackPeer(dir, ready, p);
    }

    /** Stops every process of the peer (the launcher ends its process group) and removes nothing: logs stay. */
    void stop() {
        if (process == null) {
            return;
        }
        try {
            OutputStream in = process.getOutputStream();
            in.close(); // the launcher also stops when its stdin closes
        } catch (IOException e) {
            // already closed
        }
        List<ProcessHandle> children = process.descendants().toList();
        Peers.stop(process);
        children.forEach(ProcessHandle::destroyForcibly);
    }

    double startSeconds() {
        return ready.get("startSeconds").asDouble();
    }

    URI authUrl() {
        return URI.create(ready.get("authUrl").asText());
    }

    String text(String field) {
        return ready.get(field).asText();
    }

    String image(String name) {
        return ready.get("images").get(name).asText();
    }

    String network(String which) {
        return ready.get("networks").get(which).asText();
    }

    OpenStackCredentials.Password userPassword() {
        return new OpenStackCredentials.Password(text("user"), text("password"), "Default", text("project"), "Default");
    }

    OpenStackCredentials.ApplicationCredential applicationCredential() {
        return new OpenStackCredentials.ApplicationCredential(text("applicationCredentialId"), text("applicationCredentialSecret"));
    }

    /** A client of the test project's user on the calling thread: to look at the peer, not through the driver. */
    /**
     * The test's own view waits as long as the driver's does and more: OkHttp's default 10 s read
     * timeout ended a listing of the loaded control plane ("timeout") and failed a test that was right.
     */
    private static final org.openstack4j.core.transport.Config PEER_CLIENT_CONFIG =
            org.openstack4j.core.transport.Config.newConfig().withConnectionTimeout(30_000).withReadTimeout(120_000);

    synchronized OSClientV3 peerClient() {
        if (peerToken != null) {
            return OSFactory.clientFromToken(peerToken, Facing.PUBLIC, PEER_CLIENT_CONFIG).useRegion("RegionOne");
        }
        OSClientV3 os = OSFactory.builderV3().withConfig(PEER_CLIENT_CONFIG).endpoint(authUrl().toString())
                .credentials(text("user"), text("password"), Identifier.byName("Default"))
                .scopeToProject(Identifier.byName(text("project")), Identifier.byName("Default"))
                .perspective(Facing.PUBLIC).authenticate().useRegion("RegionOne");
        peerToken = os.getToken(); // the peer's tokens last a day: one authentication per JVM
        return os;
    }

    private org.openstack4j.model.identity.v3.Token peerToken;

    Map<String, String> describe() {
        return Map.of("dir", dir.toString(), "authUrl", authUrl().toString());
    }

    /**
     * Nova's own bookkeeping of servers it has not finished with, read from its databases: build
     * requests still waiting for the conductor; instance mappings whose delete was accepted while the
     * conductor had not yet placed the server in a cell, or whose server is still live in its cell (the
     * conductor creates a server whose build request the API deleted, then destroys it itself); servers
     * still building or with a task in progress. Zero means Nova's listing will not change on its own.
     */
    private static final String UNSETTLED_QUERY = """
            import sqlite3, sys
            api = sqlite3.connect(sys.argv[1])
            n = api.execute('select count(*) from build_requests').fetchone()[0]
            cells = {cid: sqlite3.connect(url.replace('sqlite:///', '', 1))
                     for cid, url in api.execute('select id, database_connection from cell_mappings') if url.startswith('sqlite:')}
            for uuid, cid in api.execute('select instance_uuid, cell_id from instance_mappings where queued_for_delete = 1'):
                if cid is None or (cid in cells and cells[cid].execute(
                        'select count(*) from instances where uuid = ? and deleted = 0', (uuid,)).fetchone()[0]):
                    n += 1
            for c in cells.values():
                n += c.execute("select count(*) from instances where deleted = 0 and "
                               "(vm_state = 'building' or task_state is not null)").fetchone()[0]
            print(n)
            """;

    /**
     * Waits until Nova has nothing unsettled ({@link #UNSETTLED_QUERY}), polling its databases, at most
     * {@code bound}. Returns the last count (0 when settled); a caller's own assertion then judges what
     * is left. Reads only: it never ends or changes a server.
     */
    int settle(java.time.Duration bound) throws Exception {
        long start = System.nanoTime();
        long end = start + bound.toNanos();
        int first = unsettled();
        int left = first;
        while (left > 0 && System.nanoTime() < end) {
            Thread.sleep(200); // the poll interval of a bounded wait on the peer's state, not a wait for time
            left = unsettled();
        }
        if (first > 0) {
            System.err.printf("openstack peer: %d unsettled in Nova, %d left after %d ms%n", first, left,
                    (System.nanoTime() - start) / 1_000_000);
        }
        return left;
    }

    private int unsettled() throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", UNSETTLED_QUERY, dir.resolve("db/nova_api.db").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("could not read Nova's databases: " + out);
        }
        return Integer.parseInt(out);
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
