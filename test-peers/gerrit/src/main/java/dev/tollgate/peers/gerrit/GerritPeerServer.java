package dev.tollgate.peers.gerrit;

import static com.google.gerrit.acceptance.testsuite.project.TestProjectUpdate.allowLabel;
import static com.google.gerrit.server.group.SystemGroupBackend.REGISTERED_USERS;

import com.google.gerrit.acceptance.AbstractDaemonTest;
import com.google.gerrit.acceptance.GerritServer;
import com.google.gerrit.acceptance.GerritServerTestRule;
import com.google.gerrit.acceptance.UseSsh;
import com.google.gerrit.acceptance.testsuite.project.ProjectOperations;
import com.google.gerrit.extensions.api.projects.ProjectInput;
import com.google.gerrit.extensions.common.LabelDefinitionInput;
import com.google.gerrit.extensions.restapi.ResourceConflictException;
import com.google.gerrit.server.ssh.HostKey;
import com.google.gerrit.server.ssh.SshInfo;
import com.google.inject.Inject;
import com.google.inject.Injector;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.Test;
import org.junit.runner.JUnitCore;
import org.junit.runner.Result;
import org.junit.runner.notification.Failure;

/**
 * A real Gerrit 3.10.2 kept running for a client in another JVM.
 *
 * <p>Gerrit's acceptance framework only starts a server around a JUnit test, so the whole peer is
 * one "test" that prepares the server (Verified label, the client's SSH key on admin, project
 * {@code openstack/neutron}), writes what a client needs into a properties file, and then waits
 * until a stop file appears or its stdin closes (the parent JVM died). Everything else a test
 * wants (changes, comments, abandon/restore) it does through Gerrit's REST API with admin's HTTP
 * password.
 *
 * <p>System properties: {@code gerrit.peer.sshPublicKey} (file with an OpenSSH public key line),
 * {@code gerrit.peer.infoFile} (where the properties go), {@code gerrit.peer.stopFile}.
 */
@UseSsh
public class GerritPeerServer extends AbstractDaemonTest {
    public static final String PROJECT = "openstack/neutron";

    @Inject private ProjectOperations projectOperations;

    public static void main(String[] args) {
        Result result = new JUnitCore().run(GerritPeerServer.class);
        for (Failure f : result.getFailures()) {
            System.err.println("gerrit peer failed: " + f.getTrace());
        }
        System.exit(result.wasSuccessful() ? 0 : 1);
    }

    @Test
    public void serve() throws Exception {
        Path infoFile = Path.of(required("gerrit.peer.infoFile"));
        Path stopFile = Path.of(required("gerrit.peer.stopFile"));

        LabelDefinitionInput verified = new LabelDefinitionInput();
        verified.function = "NoBlock";
        Map<String, String> values = new LinkedHashMap<>();
        values.put("-1", "Fails");
        values.put(" 0", "No score");
        values.put("+1", "Verified");
        verified.values = values;
        verified.defaultValue = 0;
        gApi.projects().name(allProjects.get()).label("Verified").create(verified);
        projectOperations.allProjectsForUpdate()
                .add(allowLabel("Verified").ref("refs/heads/*").group(REGISTERED_USERS).range(-1, 1))
                .update();

        String publicKeyFile = System.getProperty("gerrit.peer.sshPublicKey");
        if (publicKeyFile != null && !publicKeyFile.isBlank()) {
            String pub = Files.readString(Path.of(publicKeyFile), StandardCharsets.UTF_8).trim();
            gApi.accounts().id(admin.id().get()).addSshKey(pub);
        }

        ProjectInput neutron = new ProjectInput();
        neutron.name = PROJECT;
        neutron.createEmptyCommit = true;
        neutron.branches = List.of("master");
        try {
            gApi.projects().create(neutron);
        } catch (ResourceConflictException alreadyThere) {
            // a restarted peer on the same site keeps its projects
        }

        InetSocketAddress http = server.getHttpAddress().orElseThrow();
        Injector sshInjector = sshInjector();
        SshInfo sshInfo = sshInjector.getInstance(SshInfo.class);
        HostKey hostKey = sshInfo.getHostKeys().get(0);

        Properties info = new Properties();
        info.setProperty("httpUrl", "http://127.0.0.1:" + http.getPort());
        info.setProperty("sshHost", "127.0.0.1");
        info.setProperty("sshPort", Integer.toString(URI.create(adminSshSession.getUrl()).getPort()));
        info.setProperty("adminUser", admin.username());
        info.setProperty("adminHttpPassword", admin.httpPassword());
        info.setProperty("sshHostKey", keyType(hostKey.getKey()) + " "
                + Base64.getEncoder().encodeToString(hostKey.getKey()));
        info.setProperty("sshHostKeyHost", hostKey.getHost());
        info.setProperty("project", PROJECT);
        Path tmp = infoFile.resolveSibling(infoFile.getFileName() + ".tmp");
        try (var out = Files.newOutputStream(tmp)) {
            info.store(out, "Gerrit test peer");
        }
        Files.move(tmp, infoFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("gerrit peer ready: " + infoFile);

        waitForStop(stopFile);
    }

    private static void waitForStop(Path stopFile) throws InterruptedException {
        // stdin closing means the parent JVM has gone: never outlive it.
        Thread stdinWatcher = new Thread(() -> {
            try {
                InputStream in = System.in;
                while (in.read() >= 0) {
                    // discard
                }
            } catch (IOException ignored) {
                // closed
            }
        }, "stdin-watcher");
        stdinWatcher.setDaemon(true);
        stdinWatcher.start();
        while (!Files.exists(stopFile) && stdinWatcher.isAlive()) {
            Thread.sleep(200);
        }
        System.out.println("gerrit peer stopping");
    }

    /** The SSH daemon's injector: SshInfo (the host keys) is bound there and nowhere else. */
    private Injector sshInjector() throws ReflectiveOperationException {
        if (!(server instanceof GerritServerTestRule)) {
            throw new IllegalStateException("unexpected server rule " + server.getClass());
        }
        GerritServer gerrit = ((GerritServerTestRule) server).server;
        Field daemonField = GerritServer.class.getDeclaredField("daemon");
        daemonField.setAccessible(true);
        Optional<?> daemon = (Optional<?>) daemonField.get(gerrit);
        Object d = daemon.orElseThrow(() -> new IllegalStateException("Gerrit runs without a daemon"));
        Field injectorField = d.getClass().getDeclaredField("sshInjector");
        injectorField.setAccessible(true);
        return (Injector) injectorField.get(d);
    }

    /** The key type is the first string of the SSH wire-format public key blob. */
    static String keyType(byte[] blob) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(blob));
        byte[] type = new byte[in.readInt()];
        in.readFully(type);
        return new String(type, StandardCharsets.US_ASCII);
    }

    private static String required(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("system property " + name + " is required");
        }
        return v;
    }
}
