package dev.tollgate.recycle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks the policy for an agent: a rule for the agent's own name wins, then the first label rule
 * (in the order configured) whose label the agent carries, then the fallback. The fallback is
 * {@link RecyclePolicy#none()} unless set: rebooting agents nobody configured would surprise.
 */
public final class PolicyRules {
    private final Map<String, RecyclePolicy> byAgent;
    private final Map<String, RecyclePolicy> byLabel;
    private final RecyclePolicy otherwise;

    private PolicyRules(Builder b) {
        this.byAgent = Map.copyOf(b.byAgent);
        this.byLabel = new LinkedHashMap<>(b.byLabel);
        this.otherwise = b.otherwise;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every agent gets the same policy. */
    public static PolicyRules everyAgent(RecyclePolicy policy) {
        return builder().otherwise(policy).build();
    }

    public RecyclePolicy resolve(String agent, Set<String> labels) {
        RecyclePolicy own = byAgent.get(agent);
        if (own != null) {
            return own;
        }
        for (Map.Entry<String, RecyclePolicy> rule : byLabel.entrySet()) {
            if (labels.contains(rule.getKey())) {
                return rule.getValue();
            }
        }
        return otherwise;
    }

    public static final class Builder {
        private final Map<String, RecyclePolicy> byAgent = new LinkedHashMap<>();
        private final Map<String, RecyclePolicy> byLabel = new LinkedHashMap<>();
        private final List<String> errors = new ArrayList<>();
        private RecyclePolicy otherwise = RecyclePolicy.none();

        private Builder() {
        }

        public Builder forAgent(String agent, RecyclePolicy policy) {
            add(byAgent, "agent", agent, policy);
            return this;
        }

        public Builder forLabel(String label, RecyclePolicy policy) {
            add(byLabel, "label", label, policy);
            return this;
        }

        public Builder otherwise(RecyclePolicy policy) {
            if (policy == null) {
                errors.add("the fallback policy must not be null");
            } else {
                otherwise = policy;
            }
            return this;
        }

        private void add(Map<String, RecyclePolicy> rules, String what, String name, RecyclePolicy policy) {
            if (name == null || name.isBlank()) {
                errors.add("a rule needs " + (what.equals("agent") ? "an " : "a ") + what + " name");
            } else if (policy == null) {
                errors.add(what + " " + name + ": policy is missing");
            } else if (rules.putIfAbsent(name.trim(), policy) != null) {
                errors.add(what + " " + name + " has two rules; keep one");
            }
        }

        /** @throws InvalidPolicyException listing every problem */
        public PolicyRules build() {
            if (!errors.isEmpty()) {
                throw new InvalidPolicyException(errors);
            }
            return new PolicyRules(this);
        }
    }
}
