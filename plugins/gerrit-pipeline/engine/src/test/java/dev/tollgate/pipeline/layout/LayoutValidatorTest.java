package dev.tollgate.pipeline.layout;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import dev.tollgate.pipeline.event.EventType;
import dev.tollgate.common.regex.SafePattern;
import java.util.List;
import org.junit.Test;

/** The rules on records built in code, as the Jenkins plugin will build them from its describables. */
public class LayoutValidatorTest {
    static TriggerConfig trigger(List<EventType> events, List<SafePattern> refs) {
        return new TriggerConfig(events, List.of(), refs, List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), true);
    }

    static PipelineConfig pipeline(String name, String manager, List<TriggerConfig> triggers) {
        return new PipelineConfig(name, null, manager, triggers, null, new ReporterConfig(List.of()), null, null,
                PipelineConfig.DEFAULT_START_MESSAGE, PipelineConfig.DEFAULT_SUCCESS_MESSAGE,
                PipelineConfig.DEFAULT_FAILURE_MESSAGE, PipelineConfig.DEFAULT_MERGE_FAILURE_MESSAGE, "", true, null,
                null);
    }

    @Test
    public void recordsBuiltInCodeFollowTheSameRulesWithoutLines() {
        Layout layout = new Layout(
                List.of(pipeline("check", PipelineConfig.INDEPENDENT, List.of(
                                trigger(List.of(EventType.PATCHSET_CREATED), List.of(SafePattern.compile("^refs/tags/"))),
                                trigger(List.of(), List.of()))),
                        pipeline("check", "DependentPipelineManager", List.of())),
                List.of(new JobConfig("^.*$", null, null, null, null, List.of(new SkipIf(null, null, List.of())), 2)),
                List.of(new ProjectConfig("a/b", List.of(new PipelineJobs("gate", List.of("unit"))))));
        try {
            LayoutValidator.validate(layout, "jenkins");
            fail("accepted");
        } catch (ConfigException e) {
            assertEquals(List.of(
                    "jenkins: refs: the event `patchset-created` carries no ref, so this filter could never match it "
                            + "(Zuul 2.5 refuses it too): filter change events with `branches`",
                    "jenkins: events: an empty list (Zuul 2.5 would take it as every event type): name the events",
                    "jenkins: manager: DependentPipelineManager is not supported yet (only IndependentPipelineManager: "
                            + "no gating queue)",
                    "jenkins: name: duplicate pipeline `check`",
                    "jenkins: attempts: only a job's own entry sets attempts (Zuul 2.5 ignores it on a regex entry)",
                    "jenkins: skipIf: a condition without project, branch or all-files-match-any matches every "
                            + "change, so the job would never run (Zuul 2.5 skips it always)",
                    "jenkins: name: unknown pipeline `gate` (defined: check)"),
                    e.errors().stream().map(ConfigError::toString).toList());
        }
    }

    @Test
    public void requiredKeysLeftNullAreReportedFirst() {
        Layout layout = new Layout(List.of(pipeline(null, PipelineConfig.INDEPENDENT, List.of())), List.of(),
                List.of(new ProjectConfig("a/b", List.of(new PipelineJobs(null, List.of())))));
        try {
            LayoutValidator.validate(layout, "jenkins");
            fail("accepted");
        } catch (ConfigException e) {
            assertEquals(List.of("jenkins: name: required", "jenkins: name: required"),
                    e.errors().stream().map(ConfigError::toString).toList());
        }
    }

    @Test
    public void aValidLayoutPasses() throws Exception {
        LayoutValidator.validate(LayoutParser.parse(LayoutParserTest.SEED), "seed");
        LayoutValidator.validate(LayoutParser.parse(LayoutParserTest.RICH, "rich.yaml"), "rich");
    }
}
