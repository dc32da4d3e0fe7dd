package dev.tollgate.ec2;

import java.time.Duration;
import java.time.Instant;

/**
 * What an agent's instance cost: its hourly price (the expected spot price, capped by the bid, or
 * the configured on-demand price) times its lifetime so far, by the injected clock.
 *
 * @param hourlyPrice USD per hour, NaN when unknown (on-demand without a configured price)
 * @param ended       null while the instance lives
 * @param usd         hourlyPrice × lifetime; NaN when the price is unknown
 */
public record AgentCost(String instanceId, String agentName, String template, boolean spot, double hourlyPrice,
                        Instant started, Instant ended, Duration lifetime, double usd) {}
