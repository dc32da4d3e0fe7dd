package dev.tollgate.pipeline.merger;

import static dev.tollgate.pipeline.merger.GitCommand.changeRef;
import static dev.tollgate.pipeline.merger.GitCommand.commitOn;
import static dev.tollgate.pipeline.merger.GitCommand.git;
import static dev.tollgate.pipeline.merger.GitCommand.newProject;
import static dev.tollgate.pipeline.merger.GitCommand.patchset;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.port.Merger.Item;
import dev.tollgate.pipeline.port.Merger.MergeRequest;
import dev.tollgate.pipeline.port.Merger.MergeResult;
import dev.tollgate.pipeline.port.Merger.Mode;
import dev.tollgate.testing.ManualClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Agents fetch ZUUL_REF from the merger's git daemon with the real {@code git} command. */
public class MergerDaemonTest {
    static final String P = "openstack/neutron";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void gitFetchesZuulRefFromTheDaemonAndARefusedNetworkGetsNothing() throws Exception {
        Path gerrit = tmp.newFolder("gerrit").toPath();
        Path upstream = newProject(gerrit, P, Map.of("README", "r\n"));
        String tip = commitOn(upstream, "master", "Second", Map.of("b", "b\n"));
        patchset(upstream, tip, 12345, 2, "Change", Map.of("c", "c\n"));
        try (GitMerger merger = new GitMerger(MergerSettings.local(tmp.newFolder("cache").toPath(), gerrit),
                new ManualClock(), Runnable::run)) {
            String uuid = "00000000000000000000000000000001";
            MergeResult.Merged m = (MergeResult.Merged) merger.mergeNow(new MergeRequest(uuid,
                    "refs/zuul/master/Z" + uuid, List.of(new Item(P, "master", changeRef(12345, 2), null,
                    Mode.MERGE_RESOLVE, false))));

            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (MergerDaemon daemon = new MergerDaemon(merger, loopback, Cidr.parseList("10.0.0.0/8, 127.0.0.0/8"))
                    .start()) {
                assertNotEquals(0, daemon.port());
                Path agent = tmp.newFolder("agent").toPath();
                git(agent, "init", "-q");
                // what devstack-gate and zuul-cloner do: git fetch $ZUUL_URL/$ZUUL_PROJECT $ZUUL_REF
                git(agent, "fetch", "-q", daemon.url() + "/" + P, m.ref());
                assertEquals(m.commit(), git(agent, "rev-parse", "FETCH_HEAD"));
                git(agent, "checkout", "-q", "FETCH_HEAD");
                assertEquals("c", git(agent, "show", "HEAD:c"));
                // the .git suffix and the branch work too; pushing does not
                git(agent, "fetch", "-q", daemon.url() + "/" + P + ".git", "master");
                assertEquals(tip, git(agent, "rev-parse", "FETCH_HEAD"));
                GitCommand.Result push = GitCommand.run(agent, null, "push", daemon.url() + "/" + P,
                        "HEAD:refs/heads/evil");
                assertNotEquals(0, push.exit());
                GitCommand.Result missing = GitCommand.run(agent, null, "fetch", daemon.url() + "/openstack/nova",
                        "master");
                assertNotEquals(0, missing.exit());
            }

            try (MergerDaemon refusing = new MergerDaemon(merger, loopback, Cidr.parseList("10.0.0.0/8")).start()) {
                Path agent = tmp.newFolder("outsider").toPath();
                git(agent, "init", "-q");
                GitCommand.Result r = GitCommand.run(agent, null, "fetch", refusing.url() + "/" + P, m.ref());
                assertNotEquals("a client outside the allowed networks fetches nothing", 0, r.exit());
                assertFalse(r.err(), r.err().contains(m.commit()));
                assertTrue(GitCommand.run(agent, null, "rev-parse", "--verify", "-q", "FETCH_HEAD").out().isBlank());
            }
        }
    }

    @Test
    public void oneDaemonServesEveryServersMergerUnderItsName() throws Exception {
        Path gerrit = tmp.newFolder("gerrit").toPath();
        Path upstream = newProject(gerrit, P, Map.of("README", "r\n"));
        String tip = commitOn(upstream, "master", "Second", Map.of("b", "b\n"));
        patchset(upstream, tip, 12345, 2, "Change", Map.of("c", "c\n"));
        try (GitMerger merger = new GitMerger(MergerSettings.local(tmp.newFolder("cache").toPath(), gerrit),
                new ManualClock(), Runnable::run)) {
            String uuid = "00000000000000000000000000000002";
            MergeResult.Merged m = (MergeResult.Merged) merger.mergeNow(new MergeRequest(uuid,
                    "refs/zuul/master/Z" + uuid, List.of(new Item(P, "master", changeRef(12345, 2), null,
                    Mode.MERGE_RESOLVE, false))));
            ServedRepositories served = new ServedRepositories();
            served.put("review", merger);
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (MergerDaemon daemon = new MergerDaemon(served, loopback, Cidr.parseList("127.0.0.0/8")).start()) {
                Path agent = tmp.newFolder("agent").toPath();
                git(agent, "init", "-q");
                git(agent, "fetch", "-q", daemon.url() + "/review/" + P, m.ref());
                assertEquals(m.commit(), git(agent, "rev-parse", "FETCH_HEAD"));
                assertNotEquals("the project without its server", 0,
                        GitCommand.run(agent, null, "fetch", daemon.url() + "/" + P, m.ref()).exit());
                served.remove("review", merger);
                assertNotEquals("a server no longer served", 0,
                        GitCommand.run(agent, null, "fetch", daemon.url() + "/review/" + P, m.ref()).exit());
            }
        }
    }

    @Test
    public void networksOfTheAllowList() throws Exception {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertTrue(ten.contains(InetAddress.getByName("10.200.1.2")));
        assertFalse(ten.contains(InetAddress.getByName("11.0.0.1")));
        assertTrue("IPv4-mapped IPv6", ten.contains(InetAddress.getByName("::ffff:10.1.2.3")));
        Cidr odd = Cidr.parse("192.168.4.0/22");
        assertTrue(odd.contains(InetAddress.getByName("192.168.7.255")));
        assertFalse(odd.contains(InetAddress.getByName("192.168.8.0")));
        assertTrue(Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1")));
        assertFalse(Cidr.parse("fd00::/8").contains(InetAddress.getByName("10.0.0.1")));
        assertTrue(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.1")));
        assertFalse(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.2")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("8.8.8.8")));
        for (String bad : List.of("", "example.org/8", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129")) {
            assertThrows(bad, IllegalArgumentException.class, () -> Cidr.parse(bad));
        }
        assertEquals(List.of(ten, odd), Cidr.parseList("10.0.0.0/8 192.168.4.0/22"));
    }
}
