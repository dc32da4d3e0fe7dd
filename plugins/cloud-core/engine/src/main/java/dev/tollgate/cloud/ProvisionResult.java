package dev.tollgate.cloud;

import java.util.List;

/**
 * What one planning round did.
 *
 * @param planned      instances started (creates in flight)
 * @param wanted       instances the demand asked for
 * @param capped       instances not started because of a template or cloud cap (or no matching template)
 * @param deferred     instances not started now because of the request rate limit or a throttling pause;
 *                     a later round starts them if the demand is still there
 */
public record ProvisionResult(List<PlannedAgent> planned, int wanted, int capped, int deferred) {
    public ProvisionResult {
        planned = List.copyOf(planned);
    }

    public static final ProvisionResult NOTHING = new ProvisionResult(List.of(), 0, 0, 0);

    public int started() {
        return planned.size();
    }

    public int plannedExecutors() {
        return planned.stream().mapToInt(PlannedAgent::executors).sum();
    }
}
