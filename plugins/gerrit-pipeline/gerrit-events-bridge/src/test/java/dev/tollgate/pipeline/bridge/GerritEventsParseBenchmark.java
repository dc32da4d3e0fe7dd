package dev.tollgate.pipeline.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sonymobile.tools.gerrit.gerritevents.GerritJsonEventFactory;
import com.sonymobile.tools.gerrit.gerritevents.dto.GerritJsonEvent;
import dev.tollgate.pipeline.event.EventParser;
import dev.tollgate.pipeline.event.GerritEvent;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Events per second, one thread, for the same generated stream of Gerrit 3.10 stream-events lines
 * (comment-added and patchset-created, ~2 KB each) parsed four ways: gerrit-events'
 * {@code GerritJsonEventFactory.getEventIfInteresting} (json-lib), gerrit-events followed by
 * {@link GerritEventsBridge}, the engine's {@link EventParser} (Jackson streaming into records), and a
 * bare Jackson {@code readTree}. Each is warmed up, then timed over several full passes, interleaved;
 * the best pass by thread CPU time counts (the machine is shared, wall time is noisy). Not a test. Run:
 * {@code scripts/bench plugins/gerrit-pipeline/gerrit-events-bridge dev.tollgate.pipeline.bridge.GerritEventsParseBenchmark [LINES] [PASSES]}.
 */
public final class GerritEventsParseBenchmark {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    interface Parse {
        long apply(String line) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        List<String> stream = generate(lines, new SplittableRandom(42));
        long bytes = stream.stream().mapToLong(String::length).sum();
        System.out.printf(Locale.ROOT, "stream: %,d lines, %.1f MB, mean %d chars/line; %d CPUs; Java %s%n",
                lines, bytes / 1e6, bytes / lines, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));

        EventParser engine = new EventParser();
        GerritEventsBridge bridge = new GerritEventsBridge();
        Parse gerritEvents = line -> {
            GerritJsonEvent e = GerritJsonEventFactory.getEventIfInteresting(line);
            return e == null ? 0 : e.getEventType().ordinal() + 1;
        };
        Parse gerritEventsBridged = line -> {
            GerritJsonEvent e = GerritJsonEventFactory.getEventIfInteresting(line);
            GerritEvent converted = bridge.convert(e).event();
            return converted.change().number();
        };
        Parse engineParser = line -> engine.parse(line).change().number();
        Parse bareJackson = line -> MAPPER.readTree(line).size();

        String[] names = {"gerrit-events GerritJsonEventFactory", "gerrit-events + GerritEventsBridge",
            "engine EventParser", "bare Jackson readTree"};
        Parse[] parses = {gerritEvents, gerritEventsBridged, engineParser, bareJackson};
        for (Parse parse : parses) {
            run(parse, stream.subList(0, Math.min(lines, 50_000))); // warm-up
            run(parse, stream.subList(0, Math.min(lines, 50_000)));
        }
        // the machine is shared: passes are interleaved so load changes hit every parser alike, and
        // the figure that counts is per second of this thread's CPU time, which others' load does not inflate
        double[] bestCpu = new double[parses.length];
        double[] bestWall = new double[parses.length];
        double[] allocated = new double[parses.length];
        for (int p = 0; p < passes; p++) {
            for (int i = 0; i < parses.length; i++) {
                long alloc0 = allocatedBytes();
                long cpu0 = cpuNanos();
                long t0 = System.nanoTime();
                long sink = run(parses[i], stream);
                long wall = System.nanoTime() - t0;
                long cpu = cpuNanos() - cpu0;
                long alloc = allocatedBytes() - alloc0;
                double perCpuSecond = lines / (cpu / 1e9);
                double perWallSecond = lines / (wall / 1e9);
                System.out.printf(Locale.ROOT, "  pass %d %-38s %,9.0f events/CPU-s %,9.0f events/s wall (%,d B allocated/event, checksum %d)%n",
                        p + 1, names[i], perCpuSecond, perWallSecond, alloc / lines, sink);
                if (perCpuSecond > bestCpu[i]) {
                    bestCpu[i] = perCpuSecond;
                    allocated[i] = (double) alloc / lines;
                }
                bestWall[i] = Math.max(bestWall[i], perWallSecond);
            }
        }
        System.out.println();
        System.out.println("| parser | events per CPU-second (best pass) | vs bare Jackson | events/s wall (best pass) | bytes allocated/event |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (int i = 0; i < parses.length; i++) {
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2f× | %,.0f | %,.0f |%n", names[i], bestCpu[i],
                    bestCpu[i] / bestCpu[3], bestWall[i], allocated[i]);
        }
    }

    private static long run(Parse parse, List<String> stream) throws Exception {
        long sink = 0;
        for (String line : stream) {
            sink += parse.apply(line);
        }
        return sink;
    }

    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t) {
            return t.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }

    /** A stream shaped like Gerrit 3.10's: 60% comment-added (with votes), 40% patchset-created. */
    static List<String> generate(int count, SplittableRandom random) throws Exception {
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int project = random.nextInt(200);
            int change = 100_000 + random.nextInt(50_000);
            int patchSet = 1 + random.nextInt(12);
            boolean comment = random.nextInt(10) < 6;
            ObjectNode e = MAPPER.createObjectNode();
            ObjectNode actor = account(random.nextInt(500));
            if (comment) {
                e.set("author", actor);
                ArrayNode approvals = e.putArray("approvals");
                approvals.addObject().put("type", "Code-Review").put("description", "Code-Review")
                        .put("value", String.valueOf(random.nextInt(5) - 2)).put("oldValue", "0");
                approvals.addObject().put("type", "Verified").put("description", "Verified")
                        .put("value", String.valueOf(random.nextInt(3) - 1));
                e.put("comment", "Patch Set " + patchSet + ":" + (random.nextBoolean()
                        ? "\n\nrecheck" : " Code-Review+1\n\n(" + (1 + random.nextInt(9)) + " comments)\n\nLooks fine to me."));
            } else {
                e.set("uploader", actor);
            }
            String revision = hex(random, 40);
            ObjectNode ps = e.putObject("patchSet");
            ps.put("number", patchSet).put("revision", revision);
            ps.putArray("parents").add(hex(random, 40));
            ps.put("ref", String.format(Locale.ROOT, "refs/changes/%02d/%d/%d", change % 100, change, patchSet));
            ps.set("uploader", actor);
            ps.put("createdOn", 1763700000 + i).set("author", actor);
            ps.put("kind", "REWORK").put("sizeInsertions", random.nextInt(2000)).put("sizeDeletions", -random.nextInt(500));
            String changeId = "I" + hex(random, 40);
            ObjectNode c = e.putObject("change");
            c.put("project", "openstack/project-" + project).put("branch", "master").put("id", changeId)
                    .put("number", change).put("subject", "Fix the thing number " + change);
            c.set("owner", actor);
            c.put("url", "https://review.example.org/c/openstack/project-" + project + "/+/" + change)
                    .put("commitMessage", "Fix the thing number " + change + "\n\nA longer explanation of why the thing"
                            + " needed fixing, over a couple of lines.\n\nChange-Id: " + changeId + "\n")
                    .put("createdOn", 1763600000 + i).put("status", "NEW");
            e.put("project", "openstack/project-" + project).put("refName", "refs/heads/master");
            e.putObject("changeKey").put("key", changeId);
            e.put("type", comment ? "comment-added" : "patchset-created").put("eventCreatedOn", 1763700000 + i);
            out.add(MAPPER.writeValueAsString(e));
        }
        return out;
    }

    private static ObjectNode account(int n) {
        return MAPPER.createObjectNode().put("name", "Developer " + n).put("email", "dev" + n + "@example.org")
                .put("username", "dev" + n);
    }

    private static String hex(SplittableRandom random, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(Character.forDigit(random.nextInt(16), 16));
        }
        return sb.toString();
    }
}
