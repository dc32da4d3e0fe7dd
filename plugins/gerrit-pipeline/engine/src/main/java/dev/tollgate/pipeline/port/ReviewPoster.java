package dev.tollgate.pipeline.port;

/**
 * Port: posts a review to Gerrit. Implemented over Gerrit's REST API by the engine
 * ({@code dev.tollgate.pipeline.gerrit.RestReviewPoster}), by the Jenkins plugin if it routes
 * through the Gerrit Trigger plugin, and by tests.
 *
 * <p>Contract: a call either posts the review exactly once and returns, or throws
 * {@link ReviewException} having posted nothing. Retries belong to the implementation.
 */
public interface ReviewPoster {
    void post(Review review) throws ReviewException;

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
