package dev.tollgate.pipeline.port;

/**
 * Port: posts a review to Gerrit. Implemented over Gerrit's REST API by the engine
 * ({@code dev.tollgate.pipeline.gerrit.RestReviewPoster}), by the Jenkins plugin if it routes
 * through the Gerrit Trigger plugin, and by tests.
 *
 * <p>Contract: {@link #post} either posts the review exactly once and returns, or throws
 * {@link ReviewException} having posted nothing. Retries belong to the implementation.
 * {@link #postIfAbsent} is for a review whose earlier post may have landed: it posts at most once
 * in all, counting that earlier post.
 */
public interface ReviewPoster {
    void post(Review review) throws ReviewException;

    /**
     * Posts the review unless the change already has a review with the same {@link Review#key()}.
     * The scheduler calls it, in place of {@link #post}, for a review it had decided to post before
     * a restart without learning whether the post landed: the earlier post may be on the change, or
     * may never have been sent. So the implementation must look before it posts, and must not post
     * when it cannot tell (then it throws, and the review is logged as not posted).
     *
     * <p>The default cannot look, so it never posts: at most once wins over a lost review.
     * {@code RestReviewPoster} looks for the key in the tags of the change's messages.
     *
     * @return true when the review was posted now, false when the change already had it
     * @throws ReviewException when it was not posted now: refused, retries exhausted, or no way to
     *                         tell whether the earlier post landed
     */
    default boolean postIfAbsent(Review review) throws ReviewException {
        throw new ReviewException("cannot tell whether review " + review.key() + " was posted before the restart"
                + " (" + getClass().getName() + " cannot look); not posting it again, so it is never posted twice");
    }

    /** Posting failed for good (bad credentials, unknown change, retries exhausted). */
    final class ReviewException extends Exception {
        public ReviewException(String message, Throwable cause) {
            super(message, cause);
        }

        public ReviewException(String message) {
            super(message);
        }
    }
}
