package dev.tollgate.pipeline.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.BuildResult;
import dev.tollgate.pipeline.event.EventParseException;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.port.JobLauncher;
import dev.tollgate.pipeline.port.LaunchRequest;
import dev.tollgate.pipeline.scheduler.ItemView;
import dev.tollgate.pipeline.scheduler.Scheduler;
import dev.tollgate.pipeline.scheduler.SchedulerListener;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Events per second through parse + filter + match + enqueue (+ instant job completion and report
 * building, so memory stays flat) on one thread, beside bare Jackson parses of the same lines.
 * Not a test. Run: {@code scripts/bench plugins/gerrit-pipeline/engine
 * dev.tollgate.pipeline.bench.PipelineThroughputBenchmark [EVENTS]}.
 */
public final class PipelineThroughputBenchmark {
    static final String LAYOUT = String.join("\n",
            "pipelines:",
            "  - name: check",
            "    failure-message: Build failed. Leave a comment with 'metaplugin-recheck' to rerun a check.",
            "    manager: IndependentPipelineManager",
            "    trigger:",
            "      gerrit:",
            "        - event: patchset-created",
            "        - event: change-restored",
            "        - event: comment-added",
            "          comment: (?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*metaplugin-recheck\\s*$",
            "    success:",
            "      gerrit:",
            "        verified: 1",
            "    failure:",
            "      gerrit:",
            "        verified: 0",
            "  - name: experimental",
            "    manager: IndependentPipelineManager",
            "    trigger:",
            "      gerrit:",
            "        - event: comment-added",
            "          comment: (?i)^(Patch Set [0-9]+:)?\\s*check experimental\\s*$",
            "    success: {gerrit: {}}",
            "    failure: {gerrit: {}}",
            "jobs:",
            "  - name: ^.*-nv$",
            "    voting: false",
            "projects:",
            projects(),
            "");

    static final int PROJECTS = 200;
    static final int LAYOUT_PROJECTS = 20; // a third-party CI tests a few of the projects it hears about
    static final int CHANGES = 50_000;

    private static String projects() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < LAYOUT_PROJECTS; i++) {
            sb.append("  - name: openstack/project-").append(i * (PROJECTS / LAYOUT_PROJECTS)).append('\n')
                    .append("    check: [check-tempest-dsvm-metaplugin, check-unit-nv]\n")
                    .append("    experimental: [check-experimental-full]\n");
        }
        return sb.toString().stripTrailing();
    }

    private PipelineThroughputBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long t0 = System.nanoTime();
        String[] lines = generate(n, new SplittableRandom(42));
        long bytes = 0;
        for (String l : lines) {
            bytes += l.length();
        }
        System.out.printf("generated %,d stream-events lines (%,d MB, %d bytes/line average) in %.1f s%n", n,
                bytes >> 20, bytes / n, (System.nanoTime() - t0) / 1e9);
        Layout layout = LayoutParser.parse(LAYOUT, "bench-layout.yaml");

        // warm up every path first
        for (int i = 0; i < 2; i++) {
            pipeline(layout, lines, Math.min(n, 200_000));
            engineParse(lines, Math.min(n, 200_000));
            treeParse(lines, Math.min(n, 200_000));
            streamParse(lines, Math.min(n, 200_000));
        }
        // Wall time is shared with everything else on the machine; the thread's CPU time is what
        // this thread itself spent. Both are printed; the best of three rounds counts.
        String[] names = {"pipeline (parse+filter+match+enqueue+report)", "EventParser alone",
            "bare Jackson readTree", "bare Jackson streaming token walk"};
        double[] bestWall = new double[4];
        double[] bestCpu = new double[4];
        long[] counts = null;
        for (int round = 1; round <= 3; round++) {
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (int k = 0; k < 4; k++) {
                long w = System.nanoTime();
                long c = CPU.getCurrentThreadCpuTime();
                long sink;
                switch (k) {
                    case 0 -> {
                        counts = pipeline(layout, lines, n);
                        sink = counts[1];
                    }
                    case 1 -> sink = engineParse(lines, n);
                    case 2 -> sink = treeParse(lines, n);
                    default -> sink = streamParse(lines, n);
                }
                double wall = n / ((System.nanoTime() - w) / 1e9);
                double cpu = n / ((CPU.getCurrentThreadCpuTime() - c) / 1e9);
                bestWall[k] = Math.max(bestWall[k], wall);
                bestCpu[k] = Math.max(bestCpu[k], cpu);
                line.append(String.format(" | %s %,.0f/s wall, %,.0f/s cpu (%d)", names[k], wall, cpu, sink % 10));
            }
            System.out.println(line);
        }
        System.out.printf("per pass: %,d events, %,d malformed, %,d enqueued, %,d reports built, %,d builds completed%n",
                n, counts[0], counts[1], counts[2], counts[3]);
        for (int k = 0; k < 4; k++) {
            System.out.printf("best %-46s %,10.0f events/s wall %,10.0f events/s cpu  (%.2f us/event cpu)%n",
                    names[k], bestWall[k], bestCpu[k], 1e6 / bestCpu[k]);
        }
        System.out.printf("pipeline time / readTree time: %.2f (cpu), %.2f (wall); pipeline time / streaming walk "
                + "time: %.2f (cpu), %.2f (wall)%n", bestCpu[2] / bestCpu[0], bestWall[2] / bestWall[0],
                bestCpu[3] / bestCpu[0], bestWall[3] / bestWall[0]);
    }

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    /** Parse, filter, match, enqueue; every launched build completes at once, so each item is reported. */
    static long[] pipeline(Layout layout, String[] lines, int n) {
        List<LaunchRequest> launched = new ArrayList<>();
        long[] counts = new long[4];
        JobLauncher launcher = new JobLauncher() {
            @Override
            public void launch(LaunchRequest request) {
                launched.add(request);
            }

            @Override
            public void cancel(String buildId) { }
        };
        long[] ids = {0};
        Scheduler s = Scheduler.builder(layout).launcher(launcher)
                .reviewPoster(review -> counts[2]++)
                .clock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
                .uuids(() -> Long.toHexString(0x1000000000000000L + ++ids[0]))
                .listener(new SchedulerListener() {
                    @Override
                    public void enqueued(ItemView item) {
                        counts[1]++;
                    }
                })
                .build();
        EventParser parser = new EventParser();
        for (int i = 0; i < n; i++) {
            try {
                s.onEvent(parser.parse(lines[i]));
            } catch (EventParseException e) {
                counts[0]++;
            }
            if (!launched.isEmpty()) {
                for (LaunchRequest r : launched) {
                    s.onJobCompleted(r.buildId(), BuildResult.SUCCESS, null);
                    counts[3]++;
                }
                launched.clear();
            }
        }
        return counts;
    }

    static long engineParse(String[] lines, int n) {
        EventParser parser = new EventParser();
        long sum = 0;
        for (int i = 0; i < n; i++) {
            try {
                sum += parser.parse(lines[i]).eventCreatedOn();
            } catch (EventParseException e) {
                sum++;
            }
        }
        return sum;
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static long treeParse(String[] lines, int n) throws IOException {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            JsonNode node = MAPPER.readTree(lines[i]);
            sum += node.size();
        }
        return sum;
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    static long streamParse(String[] lines, int n) throws IOException {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            try (JsonParser p = FACTORY.createParser(lines[i])) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.VALUE_STRING) {
                        sum += p.getTextLength(); // touch the text, as a real consumer would
                    }
                }
            }
        }
        return sum;
    }

    // ------------------------------------------------------------------ a realistic stream

    private static final String[] EXTRA_TYPES = {"reviewer-added", "ref-replicated", "topic-changed",
        "hashtags-changed", "vote-deleted", "wip-state-changed"};
    private static final String[] PLAIN_COMMENTS = {
        "Patch Set %d: Code-Review+1\n\nLooks good to me, but someone else must approve",
        "Patch Set %d:\n\nrecheck",
        "Patch Set %d: Code-Review-1\n\n(3 comments)\n\nPlease fix the nits inline and split the refactoring out.",
        "Patch Set %d: Workflow+1",
        "Patch Set %d: Code-Review+2\n\nThanks!",
        "Patch Set %d: Verified+1\n\nBuild succeeded (check pipeline).\n\n"
            + "- gate-neutron-pep8 http://logs.openstack.org/45/12345/%d/check/gate-neutron-pep8/1a2b3c4 : SUCCESS in 3m 41s\n"
            + "- gate-neutron-python27 http://logs.openstack.org/45/12345/%d/check/gate-neutron-python27/5d6e7f8 : SUCCESS in 12m 02s\n"
            + "- gate-tempest-dsvm-neutron-full http://logs.openstack.org/45/12345/%d/check/gate-tempest-dsvm-neutron-full/9a0b1c2 : SUCCESS in 1h 02m 13s\n",
    };

    static String[] generate(int n, SplittableRandom rnd) {
        String[] out = new String[n];
        JsonFactory f = new JsonFactory();
        for (int i = 0; i < n; i++) {
            int change = 1 + rnd.nextInt(CHANGES);
            int project = change % PROJECTS;
            int ps = 1 + rnd.nextInt(8);
            int kind = rnd.nextInt(100);
            StringWriter w = new StringWriter(1200);
            try (JsonGenerator g = f.createGenerator(w)) {
                String type;
                if (kind < 55) {
                    type = "comment-added";
                } else if (kind < 85) {
                    type = "patchset-created";
                } else if (kind < 91) {
                    type = "ref-updated";
                } else if (kind < 95) {
                    type = "change-merged";
                } else if (kind < 96) {
                    type = rnd.nextBoolean() ? "change-abandoned" : "change-restored";
                } else {
                    type = EXTRA_TYPES[rnd.nextInt(EXTRA_TYPES.length)];
                }
                g.writeStartObject();
                if (type.equals("ref-updated")) {
                    account(g, "submitter", change);
                    g.writeObjectFieldStart("refUpdate");
                    g.writeStringField("oldRev", sha(rnd));
                    g.writeStringField("newRev", sha(rnd));
                    g.writeStringField("refName", rnd.nextInt(10) == 0 ? "refs/tags/" + (change % 30) + ".0.0"
                            : "refs/heads/master");
                    g.writeStringField("project", "openstack/project-" + project);
                    g.writeEndObject();
                } else {
                    switch (type) {
                        case "comment-added" -> {
                            account(g, "author", change + 7);
                            g.writeArrayFieldStart("approvals");
                            approval(g, "Code-Review", rnd.nextInt(5) - 2, rnd.nextBoolean());
                            approval(g, "Verified", rnd.nextInt(3) - 1, false);
                            approval(g, "Workflow", rnd.nextInt(2), false);
                            g.writeEndArray();
                            int c = rnd.nextInt(100);
                            String comment = c < 3 ? "Patch Set " + ps + ":\n\nmetaplugin-recheck"
                                    : c < 4 ? "Patch Set " + ps + ":\n\ncheck experimental"
                                    : String.format(PLAIN_COMMENTS[rnd.nextInt(PLAIN_COMMENTS.length)], ps, ps, ps, ps);
                            g.writeStringField("comment", comment);
                        }
                        case "patchset-created" -> account(g, "uploader", change);
                        case "change-merged" -> account(g, "submitter", change + 3);
                        case "change-abandoned" -> account(g, "abandoner", change);
                        case "change-restored" -> account(g, "restorer", change);
                        default -> account(g, "reviewer", change + 1);
                    }
                    g.writeObjectFieldStart("patchSet");
                    // Gerrit 2.x sent numbers as strings, 3.x as numbers: mix both
                    if (rnd.nextInt(4) == 0) {
                        g.writeStringField("number", Integer.toString(ps));
                    } else {
                        g.writeNumberField("number", ps);
                    }
                    g.writeStringField("revision", sha(rnd));
                    g.writeArrayFieldStart("parents");
                    g.writeString(sha(rnd));
                    g.writeEndArray();
                    g.writeStringField("ref", String.format("refs/changes/%02d/%d/%d", change % 100, change, ps));
                    account(g, "uploader", change);
                    g.writeNumberField("createdOn", 1763700000L + i);
                    account(g, "author", change);
                    g.writeStringField("kind", "REWORK");
                    g.writeNumberField("sizeInsertions", rnd.nextInt(500));
                    g.writeNumberField("sizeDeletions", -rnd.nextInt(200));
                    g.writeEndObject();
                    g.writeObjectFieldStart("change");
                    g.writeStringField("project", "openstack/project-" + project);
                    g.writeStringField("branch", rnd.nextInt(10) == 0 ? "stable/2025.2" : "master");
                    g.writeStringField("id", "I" + Long.toHexString(change * 0x9E3779B97F4A7C15L) + "0123456789abcdef0123");
                    g.writeNumberField("number", change);
                    g.writeStringField("subject", "Fix the handling of ports in agent number " + change);
                    account(g, "owner", change);
                    g.writeStringField("url", "https://review.opendev.org/c/openstack/project-" + project + "/+/" + change);
                    g.writeStringField("commitMessage", "Fix the handling of ports in agent number " + change
                            + "\n\nThe agent dropped ports when the RPC timed out.\n\nCloses-Bug: #" + (1000000 + change)
                            + "\nChange-Id: I" + Long.toHexString(change * 0x9E3779B97F4A7C15L) + "\n");
                    g.writeNumberField("createdOn", 1763600000L + change);
                    g.writeStringField("status", type.equals("change-merged") ? "MERGED"
                            : type.equals("change-abandoned") ? "ABANDONED" : "NEW");
                    g.writeEndObject();
                    g.writeStringField("project", "openstack/project-" + project);
                    g.writeStringField("refName", "refs/heads/master");
                    g.writeObjectFieldStart("changeKey");
                    g.writeStringField("key", "I" + Long.toHexString(change * 0x9E3779B97F4A7C15L));
                    g.writeEndObject();
                }
                g.writeStringField("type", type);
                g.writeNumberField("eventCreatedOn", 1763700000L + i);
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out[i] = w.toString();
        }
        return out;
    }

    private static void account(JsonGenerator g, String field, int who) throws IOException {
        int id = who % 5000;
        g.writeObjectFieldStart(field);
        g.writeStringField("name", "Developer " + id);
        g.writeStringField("email", "dev" + id + "@example.org");
        g.writeStringField("username", "dev" + id);
        g.writeEndObject();
    }

    private static void approval(JsonGenerator g, String label, int value, boolean withOld) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", label);
        g.writeStringField("description", label);
        g.writeStringField("value", Integer.toString(value));
        if (withOld) {
            g.writeStringField("oldValue", "0");
        }
        g.writeEndObject();
    }

    private static String sha(SplittableRandom rnd) {
        String a = Long.toHexString(rnd.nextLong() | Long.MIN_VALUE);
        String b = Long.toHexString(rnd.nextLong() | Long.MIN_VALUE);
        return a + b + Integer.toHexString(rnd.nextInt() | Integer.MIN_VALUE);
    }
}
