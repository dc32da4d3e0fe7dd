package dev.tollgate.pipeline.fidelity;

import static org.junit.Assert.assertEquals;

import dev.tollgate.pipeline.layout.CascConfig;
import dev.tollgate.pipeline.layout.Layout;
import dev.tollgate.pipeline.layout.LayoutParser;
import org.junit.Test;

/**
 * The random layouts of {@link ZuulReferenceTest} (its first 100 seeds), imported into the JCasC form
 * and read back: the same model, and the same form when written again.
 */
public class CascRoundTripTest {
    @Test
    public void randomLayoutsRoundTripThroughTheJcascForm() throws Exception {
        for (long seed = ZuulReferenceTest.FIRST_SEED; seed < ZuulReferenceTest.FIRST_SEED + 100; seed++) {
            String zuul = Model.yaml(CaseGenerator.generate(seed).layout());
            Layout layout = LayoutParser.parse(zuul, "layout.yaml");
            String casc = CascConfig.toYaml(layout);
            Layout back = CascConfig.parse(casc, "casc.yaml");
            assertEquals("seed " + seed + "\n" + zuul + "---\n" + casc, layout, back);
            assertEquals("seed " + seed, casc, CascConfig.toYaml(back));
        }
    }
}
