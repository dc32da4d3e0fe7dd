package dev.tollgate.pipeline.reporter;

import dev.tollgate.pipeline.port.Review;
import dev.tollgate.pipeline.port.ReviewPoster;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Posts every review without its votes, for running the suite next to another CI without taking part
 * in its votes. The message says which votes were left out, so a reader sees what the suite would
 * have voted. The review keeps its key, so the wrapped poster's at-most-once rule still holds, for
 * {@link #postIfAbsent} too.
 * Thread-safe if the wrapped poster is.
 */
public final class CommentOnlyPoster implements ReviewPoster {
    private final ReviewPoster poster;

    public CommentOnlyPoster(ReviewPoster poster) {
        this.poster = Objects.requireNonNull(poster, "poster");
    }

    @Override
    public void post(Review review) throws ReviewException {
        poster.post(withoutVotes(review));
    }

    @Override
    public boolean postIfAbsent(Review review) throws ReviewException {
        return poster.postIfAbsent(withoutVotes(review));
    }

    /** The review with no labels, and a last line naming the votes it would have given (if any). */
    public static Review withoutVotes(Review review) {
        if (review.labels().isEmpty()) {
            return review;
        }
        StringBuilder votes = new StringBuilder();
        for (Map.Entry<String, Integer> e : new TreeMap<>(review.labels()).entrySet()) {
            votes.append(votes.length() == 0 ? "" : ", ").append(e.getKey())
                    .append(e.getValue() > 0 ? "+" : "").append(e.getValue());
        }
        String message = review.message() + (review.message().isEmpty() ? "" : "\n\n")
                + "(comment only: votes not given: " + votes + ")";
        return new Review(review.project(), review.change(), review.patchset(), review.revision(), Map.of(), message,
                review.key());
    }
}
