package dev.tollgate.cloud;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.tollgate.common.Backoff;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.Test;

/** Templates and cloud settings: defaults, and every problem named in one clear message. */
public class SettingsValidationTest {

    private static String problems(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        fail("expected a validation error");
        return null;
    }

    @Test
    public void templateDefaultsFollowBuildbot() {
        AgentTemplate<?> t = AgentTemplate.builder("small").labels("linux").build();
        assertEquals(1, t.executors());
        assertEquals(AgentTemplate.UNLIMITED, t.instanceCap());
        assertEquals(Duration.ofMinutes(10), t.buildWaitTimeout());
        assertEquals(Duration.ofMinutes(20), t.missingTimeout());
        assertEquals(0, t.maxUses());
        assertEquals(Set.of("linux"), t.labels());
        assertFalse(t.oneBuildPerInstance());
        assertTrue(AgentTemplate.builder("x").buildWaitTimeout(Duration.ZERO).build().oneBuildPerInstance());
    }

    @Test
    public void everyTemplateProblemIsListed() {
        String m = problems(() -> AgentTemplate.builder("bad name").labels("a b").executors(0).instanceCap(-1)
                .buildWaitTimeout(null).missingTimeout(Duration.ZERO).maxUses(-2).build());
        assertTrue(m, m.startsWith("template 'bad name': "));
        for (String s : new String[] {"name must be", "label 'a b'", "executors must be at least 1, was 0",
                "instanceCap must be 0 or more, was -1", "buildWaitTimeout is required", "missingTimeout must be positive",
                "maxUses must be 0 (no limit) or more, was -2"}) {
            assertTrue(m + " lacks " + s, m.contains(s));
        }
    }

    /** A driver's own settings for a template, as a cloud module defines them. */
    private record ImageOptions(String image) implements DriverOptions {
        @Override
        public java.util.List<String> problems(String where) {
            return image == null ? java.util.List.of(where + ": an image is required") : java.util.List.of();
        }
    }

    @Test
    public void aTemplateCarriesItsDriversOptionsTyped() {
        AgentTemplate<ImageOptions> t = AgentTemplate.builder("small").labels("linux").executors(2)
                .options(new ImageOptions("debian-12")).maxUses(3).build();
        assertEquals("debian-12", t.options().image());
        assertEquals(Set.of("linux"), t.labels());
        assertEquals(2, t.executors());
        assertEquals(3, t.maxUses());
        assertEquals(DriverOptions.NONE, AgentTemplate.builder("plain").build().options());
    }

    @Test
    public void driverOptionsProblemsAreListedWithTheCloudsOwn() {
        String m = problems(() -> CloudSettings.builder("c", "ctl").instanceCap(-1)
                .template(AgentTemplate.builder("small").options(new ImageOptions(null)).build()).build());
        assertTrue(m, m.contains("template 'small': an image is required"));
        assertTrue(m, m.contains("instanceCap must be 0 or more"));
    }

    @Test
    public void everyCloudProblemIsListed() {
        AgentTemplate<?> t = AgentTemplate.builder("small").build();
        String m = problems(() -> CloudSettings.builder("", " ").instanceCap(-1).requestRate(0, 0)
                .template(t).template(t).reaperGrace(Duration.ofSeconds(-1)).build());
        for (String s : new String[] {"cloudName must be", "controllerId must be", "instanceCap must be 0 or more",
                "requestsPerSecond must be a positive number", "requestBurst must be at least 1",
                "template name 'small' is used twice", "reaperGrace must be zero or positive"}) {
            assertTrue(m + " lacks " + s, m.contains(s));
        }
        assertTrue(problems(() -> CloudSettings.builder("c", "id").build()).contains("at least one template"));
    }

    @Test
    public void engineNeedsItsPorts() {
        CloudSettings s = CloudSettings.builder("c", "id").template(AgentTemplate.builder("t").build()).build();
        try {
            CloudEngine.builder(s).build();
            fail();
        } catch (NullPointerException e) {
            assertEquals("driver is required", e.getMessage());
        }
    }

    @Test
    public void backoffDoublesToTheCapWithJitterBetweenHalfAndFull() {
        Random r = new Random(1);
        for (int attempt = 1; attempt <= 12; attempt++) {
            long full = Math.min(60_000, 1000L << (attempt - 1));
            for (int i = 0; i < 50; i++) {
                long d = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.5).delay(attempt - 1, r.nextDouble()).toMillis();
                assertTrue(attempt + ": " + d, d >= full / 2 && d <= full);
            }
        }
    }

    @Test
    public void tokenBucketRefillsOnTheInjectedClock() {
        dev.tollgate.testing.ManualClock clock = new dev.tollgate.testing.ManualClock();
        TokenBucket b = new TokenBucket(2.0, 4, clock);
        for (int i = 0; i < 4; i++) {
            assertTrue(b.tryAcquire());
        }
        assertFalse(b.tryAcquire());
        clock.advance(Duration.ofMillis(500));
        assertTrue(b.tryAcquire());
        assertFalse(b.tryAcquire());
        clock.advance(Duration.ofHours(1));
        assertEquals(4, b.available());
    }

    @Test
    public void launchSpecAndRecordsKeepTheSecretOutOfStrings() {
        Harness h = new Harness(Harness.settings().template(Harness.small().build()).build());
        PlannedAgent p = h.engine.provision("linux", 1).planned().get(0);
        assertFalse(p.future().join().toString().contains("s3cret"));
    }
}
