package dev.tollgate.pipeline.reporter;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import dev.tollgate.pipeline.port.Review;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class CommentOnlyPosterTest {
    @Test
    public void votesAreLeftOutAndNamedInTheMessage() throws Exception {
        List<Review> posted = new ArrayList<>();
        Map<String, Integer> labels = new LinkedHashMap<>();
        labels.put("Verified", -1);
        labels.put("Code-Review", 1);
        new CommentOnlyPoster(posted::add).post(new Review("openstack/neutron", 12, 3, "abc", labels,
                "Build failed.", "item:failure"));
        Review r = posted.get(0);
        assertEquals(Map.of(), r.labels());
        assertEquals("Build failed.\n\n(comment only: votes not given: Code-Review+1, Verified-1)", r.message());
        assertEquals("item:failure", r.key());
        assertEquals(12, r.change());
    }

    @Test
    public void aReviewWithoutVotesIsPostedAsItIs() throws Exception {
        Review plain = new Review("p", 1, 1, null, Map.of(), "Starting check jobs.", "item:start");
        assertSame(plain, CommentOnlyPoster.withoutVotes(plain));
    }
}
