package dev.tollgate.recycle.config;

import java.util.List;

/**
 * The node-recycle plugin's global configuration, the JCasC section
 * {@code unclassified: tollgateNodeRecycle:} ({@link RecycleConfig#SYMBOL}). These records are the
 * section's schema ({@link dev.tollgate.common.config.Schema}); {@link RecycleConfig} checks them
 * and turns them into the engine's {@link dev.tollgate.recycle.PolicyRules}.
 *
 * @param rules what happens after a build, per label expression; the first rule whose expression
 *              the agent's labels match decides, and an agent no rule matches is left alone
 */
public record RecycleSettings(List<RecycleRule> rules) {
    public RecycleSettings {
        rules = rules == null ? List.of() : List.copyOf(rules);
    }
}
