package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/** Agent names from a template's pattern: placeholders, '/' mapped to '-', the counter, validation. */
public class AgentNamePatternTest {

    private static Harness harness(String pattern) {
        return new Harness(Harness.settings().recordRetention(Duration.ofMinutes(30))
                .template(Harness.small().namePattern(pattern).build()).build());
    }

    private static List<String> provision(Harness h, int n) {
        return h.engine.provision("linux", n).planned().stream().map(PlannedAgent::agentName).toList();
    }

    @Test
    public void theSeedsNamingCountsFromZeroWithSlashesAsDashes() {
        Harness h = harness("aws/fedora-20/zfs-head/{n}");
        assertEquals(List.of("aws-fedora-20-zfs-head-0", "aws-fedora-20-zfs-head-1", "aws-fedora-20-zfs-head-2"),
                provision(h, 3));
        // the agent, its registration and its instance's fingerprint all carry the mapped name
        assertTrue(h.registry.agents.containsKey("aws-fedora-20-zfs-head-1"));
        assertEquals("aws-fedora-20-zfs-head-1", h.rec("aws-fedora-20-zfs-head-1").fingerprint().agentName());
    }

    @Test
    public void aNumberComesBackOnlyAfterItsRecordIsForgotten() {
        Harness h = harness("{cloud}/{template}/{n}");
        assertEquals(List.of("test-small-0", "test-small-1"), provision(h, 2));
        h.engine.release("test-small-0", "test");
        h.engine.tick();
        assertTrue(h.rec("test-small-0").state().isEnded());
        // the ended record is kept (a late spot fulfilment must still find it): its number is not reused
        assertEquals(List.of("test-small-2"), provision(h, 1));
        h.advance(Duration.ofMinutes(31));
        h.engine.tick(); // forgets records ended more than recordRetention ago
        assertEquals(List.of("test-small-0"), provision(h, 1));
    }

    @Test
    public void withoutAPatternNamesAreCloudTemplateAndARandomId() {
        Harness h = harness(null);
        for (String name : provision(h, 5)) {
            assertTrue(name, name.matches("test-small-[0-9a-z]{8}"));
        }
        assertEquals(5, h.registry.agents.size());
    }

    @Test
    public void idDrawsAgainUntilTheNameIsFree() {
        String[] draws = {"aaaaaaaa", "aaaaaaaa", "bbbbbbbb"};
        int[] next = {0};
        assertEquals("c-t-bbbbbbbb", AgentNamePattern.name("{cloud}-{template}-{id}", "c", "t", Set.of("c-t-aaaaaaaa"),
                () -> draws[next[0]++]));
    }

    @Test
    public void badPatternsAreRefusedWithEveryReason() {
        assertEquals(List.of(), AgentNamePattern.problems("aws/fedora-20/{template}/{n}"));
        assertEquals(List.of(), AgentNamePattern.problems(null));
        assertEquals(List.of("namePattern needs {n} or {id}, so that two agents of the template never get one name"),
                AgentNamePattern.problems("aws/{template}"));
        assertEquals(List.of("namePattern has an unknown placeholder {os} (known: {cloud}, {template}, {n}, {id})"),
                AgentNamePattern.problems("aws/{os}/{n}"));
        assertEquals(List.of("namePattern may hold only letters, digits, '.', '_', '-', '/' and placeholders in "
                + "braces, got 'aws fedora {n}'"), AgentNamePattern.problems("aws fedora {n}"));
        assertEquals(List.of("namePattern must start with a letter, a digit or a placeholder"),
                AgentNamePattern.problems("/aws/{n}"));
        assertEquals(List.of("namePattern is empty (leave it out for {cloud}-{template}-{id})"),
                AgentNamePattern.problems(" "));
        assertEquals(List.of("namePattern may hold only letters, digits, '.', '_', '-', '/' and placeholders in "
                + "braces, got 'a${n}'"), AgentNamePattern.problems("a${n}"));
    }

    @Test
    public void theEnginesSettingsRefuseABadPatternNamingTheTemplate() {
        try {
            Harness.settings().template(Harness.small().namePattern("aws/{os}").build()).build();
            fail("a bad pattern was accepted");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("template 'small': namePattern has an unknown placeholder {os}"));
            assertTrue(e.getMessage(), e.getMessage().contains("namePattern needs {n} or {id}"));
        }
    }
}
