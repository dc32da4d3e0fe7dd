package dev.tollgate.cloud;

/**
 * One reaper cycle.
 *
 * @param listed          owned instances listed (this cloud's)
 * @param strays          instances being ended that no live record accounts for (after the cycle's terminate call)
 * @param ghostAgents     agents removed because no live record backs them
 * @param listingFailed   the listing call failed (nothing was ended for lack of it; ghost agents were still removed)
 * @param apiCalls        cloud API calls the cycle made
 */
public record ReaperReport(int listed, int strays, int ghostAgents, boolean listingFailed, int apiCalls) {
}
