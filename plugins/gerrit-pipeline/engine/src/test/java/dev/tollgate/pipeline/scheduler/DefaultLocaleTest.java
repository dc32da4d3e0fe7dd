package dev.tollgate.pipeline.scheduler;

import static org.junit.Assert.assertEquals;

import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.PatchSet;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.reporter.ReportFormatter;
import dev.tollgate.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.After;
import org.junit.Test;

/**
 * Review messages, refspecs and log paths are read by Gerrit, Zuul's tools and job scripts, so they
 * use ASCII digits whatever the JVM's default locale is (Arabic and Devanagari locales format
 * {@code %d} with their own digits).
 */
public class DefaultLocaleTest {
    private final Locale before = Locale.getDefault();

    @After
    public void restoreTheLocale() {
        Locale.setDefault(before);
    }

    @Test
    public void digitsStayAsciiUnderLocalesWithOtherDigits() throws Exception {
        for (String tag : List.of("ar-EG", "hi-IN-u-nu-deva")) {
            Locale.setDefault(Locale.forLanguageTag(tag));
            assertEquals(tag, "1h 02m 05s", ReportFormatter.elapsed(Duration.ofSeconds(3725)));
            assertEquals(tag, "2m 05s", ReportFormatter.elapsed(Duration.ofSeconds(125)));
            assertEquals(tag, "refs/changes/45/12345/2", JobParameters.refspec(Events.change("a/b", "master", 12345),
                    new PatchSet(2, "abc", null, Events.ALICE, Events.ALICE)));
            assertEquals(tag, "refs/changes/07/7/1", Events.ps(7, 1).ref());

            List<LaunchRequest> launched = new ArrayList<>();
            List<Review> posted = new ArrayList<>();
            ManualClock clock = new ManualClock();
            Scheduler s = Scheduler.builder(LayoutParser.parse(Path.of("../../../examples/metaplugin-ci/layout.yaml")))
                    .launcher(new JobLauncher() {
                        @Override
                        public void launch(LaunchRequest request) {
                            launched.add(request);
                        }

                        @Override
                        public void cancel(String buildId) { }
                    })
                    .reviewPoster(posted::add).clock(clock).build();
            s.onEvent(Events.created(SchedulerTest.N, 12345, 2));
            clock.advance(Duration.ofSeconds(62));
            s.onJobCompleted(launched.get(0).buildId(), BuildResult.SUCCESS, null);
            assertEquals(tag, "refs/changes/45/12345/2", launched.get(0).parameters().get("ZUUL_REF"));
            assertEquals(tag, "Build succeeded.\n\n- " + SchedulerTest.JOB + " : SUCCESS in 1m 02s\n",
                    posted.get(0).message());
        }
    }
}
