package dev.tollgate.pipeline.reporter;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
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

    /** A review restored after a restart: the wrapped poster looks for it, and it goes without votes. */
    @Test
    public void postIfAbsentIsHandedOnWithoutTheVotes() throws Exception {
        List<Review> looked = new ArrayList<>();
        ReviewPoster looking = new ReviewPoster() {
            @Override
            public void post(Review review) {
                throw new AssertionError("post instead of postIfAbsent");
            }

            @Override
            public boolean postIfAbsent(Review review) {
                looked.add(review);
                return true;
            }
        };
        assertTrue(new CommentOnlyPoster(looking).postIfAbsent(new Review("p", 1, 1, null, Map.of("Verified", 1),
                "Build succeeded.", "item:success")));
        assertEquals(Map.of(), looked.get(0).labels());
        assertEquals("Build succeeded.\n\n(comment only: votes not given: Verified+1)", looked.get(0).message());
        assertEquals("item:success", looked.get(0).key());
    }
}
