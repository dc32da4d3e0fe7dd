package dev.tollgate.common;

import static org.junit.Assert.assertEquals;

import java.util.EnumSet;
import java.util.List;
import org.junit.Test;

public class BuildResultTest {
    @Test
    public void jenkinsResultsComeFirstInJenkinsOrder() {
        assertEquals(List.of("SUCCESS", "UNSTABLE", "FAILURE", "NOT_BUILT", "ABORTED"),
                EnumSet.range(BuildResult.SUCCESS, BuildResult.ABORTED).stream().map(Enum::name).toList());
        assertEquals(EnumSet.range(BuildResult.SUCCESS, BuildResult.ABORTED),
                EnumSet.copyOf(List.of(BuildResult.values()).stream().filter(BuildResult::isReportedByBuild).toList()));
    }

    @Test
    public void failuresAreWhatTheLogPublisherSkipsUnlessToldOtherwise() {
        assertEquals(EnumSet.of(BuildResult.FAILURE, BuildResult.NOT_BUILT, BuildResult.ABORTED,
                        BuildResult.LAUNCH_ERROR, BuildResult.RETRY_LIMIT),
                EnumSet.copyOf(List.of(BuildResult.values()).stream().filter(BuildResult::isFailure).toList()));
    }
}
