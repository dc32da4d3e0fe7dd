package dev.tollgate.pipeline.fidelity;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.pipeline.layout.ConfigException;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import dev.tollgate.pipeline.simulate.Outcomes;
import dev.tollgate.pipeline.simulate.Simulation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.Test;

/**
 * Random layouts and event streams, decided by the engine (through the same simulation as
 * {@code tollgate simulate}) and by {@link ZuulReference}, an independent model of Zuul 2.5's rules;
 * the decision lines must be the same. A fixed list of seeds, so a run is repeatable; a mismatch
 * names its seed and prints the case. {@code -Dzuul.fidelity.seed=N} runs one seed,
 * {@code -Dzuul.fidelity.cases=N} more or fewer.
 */
public class ZuulReferenceTest {
    static final long FIRST_SEED = 20260101L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    public void randomCasesDecideAsTheReferenceModel() throws Exception {
        String one = System.getProperty("zuul.fidelity.seed");
        int cases = Integer.getInteger("zuul.fidelity.cases", 300);
        List<Long> seeds = new ArrayList<>();
        if (one != null) {
            seeds.add(Long.parseLong(one));
        } else {
            for (int i = 0; i < cases; i++) {
                seeds.add(FIRST_SEED + i);
            }
        }
        int enqueues = 0;
        for (long seed : seeds) {
            CaseGenerator.Case c = CaseGenerator.generate(seed);
            String yaml = Model.yaml(c.layout());
            StringBuilder events = new StringBuilder();
            for (Model.Event e : c.events()) {
                events.append(JSON.writeValueAsString(Model.json(e))).append('\n');
            }
            List<String> expected = new ZuulReference(c.layout(), c::outcome).run(c.events());
            List<String> actual;
            try {
                actual = engine(yaml, events.toString(), c.rules());
            } catch (ConfigException e) {
                fail("seed " + seed + ": the engine refused a layout the generator meant to be valid:\n"
                        + e.getMessage() + "\n" + yaml);
                return;
            }
            if (!actual.equals(expected)) {
                fail("seed " + seed + " (run it alone with -Dzuul.fidelity.seed=" + seed + ")\n--- layout.yaml\n"
                        + yaml + "--- events.jsonl\n" + events + "--- results\n" + String.join("\n", c.rules())
                        + "\n--- differences (expected = reference model)\n"
                        + ZuulFidelityCorpusTest.diff(expected, actual));
            }
            enqueues += (int) expected.stream().filter(l -> l.contains("\"action\":\"enqueue\"")).count();
        }
        // the generator must keep producing cases where something happens
        if (one == null && enqueues < cases) {
            fail("only " + enqueues + " enqueues in " + cases + " cases: the generator has drifted");
        }
        assertEquals(seeds.size(), seeds.stream().distinct().count());
    }

    static List<String> engine(String yaml, String events, List<String> rules) throws Exception {
        Layout layout = LayoutParser.parse(yaml, "layout.yaml");
        Outcomes outcomes = Outcomes.all("SUCCESS");
        for (String rule : rules) {
            outcomes = outcomes.with(rule);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        new Simulation(layout, outcomes, new PrintStream(out, true, StandardCharsets.UTF_8))
                .replay(new ByteArrayInputStream(events.getBytes(StandardCharsets.UTF_8)), "events.jsonl",
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        if (err.size() > 0) {
            throw new AssertionError("the engine skipped events: " + err.toString(StandardCharsets.UTF_8));
        }
        return ZuulFidelityCorpusTest.lines(out.toString(StandardCharsets.UTF_8));
    }
}
