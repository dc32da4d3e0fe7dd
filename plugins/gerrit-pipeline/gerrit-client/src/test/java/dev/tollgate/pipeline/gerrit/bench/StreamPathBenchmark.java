package dev.tollgate.pipeline.gerrit.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.pipeline.gerrit.ChangeEventSynthesizer;
import dev.tollgate.pipeline.gerrit.EventDeduplicator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the Gerrit client adds per event on the stream's reader thread (JSON tree + deduplication
 * key + bounded memory), beside a bare Jackson parse of the same lines; and how fast recovery
 * turns change-query answers into events. Not a test: prints figures.
 *
 * <p>Args: [events (default 1,000,000)] [changes for recovery (default 2,000)]
 */
public final class StreamPathBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int change = 10_000 + i % 20_000;
            lines.add("{\"type\":\"comment-added\",\"author\":{\"name\":\"CI " + (i % 50) + "\",\"username\":\"ci" + (i % 50)
                    + "\"},\"approvals\":[{\"type\":\"Verified\",\"description\":\"Verified\",\"value\":\"1\"}],"
                    + "\"comment\":\"Patch Set 1:\\n\\nrecheck " + i + "\",\"patchSet\":{\"number\":1,\"revision\":\""
                    + Integer.toHexString(change) + "abcdef\",\"ref\":\"refs/changes/01/" + change + "/1\"},"
                    + "\"change\":{\"project\":\"openstack/neutron\",\"branch\":\"master\",\"id\":\"I" + change
                    + "\",\"number\":" + change + ",\"subject\":\"Fix\",\"status\":\"NEW\"},"
                    + "\"project\":\"openstack/neutron\",\"refName\":\"refs/heads/master\",\"eventCreatedOn\":"
                    + (1_700_000_000L + i / 10) + "}");
        }
        System.out.printf("%,d stream lines, %.0f bytes each on average%n", n,
                lines.stream().mapToInt(String::length).average().orElse(0));
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            long sink = 0;
            for (String l : lines) {
                sink += JSON.readTree(l).size();
            }
            long bare = System.nanoTime() - t0;
            EventDeduplicator dedup = new EventDeduplicator();
            t0 = System.nanoTime();
            long fresh = 0;
            for (String l : lines) {
                if (dedup.firstTime(JSON.readTree(l))) {
                    fresh++;
                }
            }
            long full = System.nanoTime() - t0;
            System.out.printf("round %d: bare Jackson readTree %,.0f events/s; readTree + dedup %,.0f events/s "
                            + "(%.2fx the bare parse; %,d fresh, %d)%n", round, n / (bare / 1e9), n / (full / 1e9),
                    (double) full / bare, fresh, sink % 7);
        }

        ArrayNode answer = JSON.createArrayNode();
        for (int c = 0; c < changes; c++) {
            ObjectNode ch = answer.addObject();
            ch.put("project", "openstack/neutron").put("branch", "master").put("change_id", "I" + c).put("_number", c)
                    .put("subject", "s").put("status", "NEW");
            ObjectNode revs = ch.putObject("revisions");
            for (int p = 1; p <= 2; p++) {
                revs.putObject("rev" + c + "x" + p).put("_number", p).put("created", "2026-11-21 10:00:0" + p + ".000000000")
                        .put("ref", "refs/changes/" + c + "/" + p);
            }
            ArrayNode msgs = ch.putArray("messages");
            for (int m = 0; m < 20; m++) {
                msgs.addObject().put("date", "2026-11-21 10:00:" + (10 + m) + ".000000000").put("_revision_number", 2)
                        .put("message", "Patch Set 2: Verified+1 Code-Review-1\n\ncomment " + m)
                        .putObject("author").put("username", "u" + m);
            }
        }
        ChangeEventSynthesizer synth = new ChangeEventSynthesizer("http://gerrit/");
        for (int round = 1; round <= 3; round++) {
            long t0 = System.nanoTime();
            List<ObjectNode> events = synth.events(answer, Instant.parse("2026-11-21T00:00:00Z"));
            long took = System.nanoTime() - t0;
            System.out.printf("round %d: recovery synthesis of %,d changes -> %,d events in %.0f ms (%,.0f events/s)%n",
                    round, changes, events.size(), took / 1e6, events.size() / (took / 1e9));
        }
    }

    private StreamPathBenchmark() {}
}
