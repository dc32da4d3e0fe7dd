package dev.tollgate.recycle;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks the policy for an agent: a rule for the agent's own name wins, then the first label rule
 * (in the order configured) whose label expression the agent's labels match ({@link LabelExpression},
 * Jenkins' syntax: {@code devstack_slave}, {@code linux && !arm}), then the fallback. The fallback is
 * {@link RecyclePolicy#none()} unless set: rebooting agents nobody configured would surprise.
 * Immutable.
 */
public final class PolicyRules {
    private final Map<String, RecyclePolicy> byAgent;
    private final List<LabelRule> byLabel;
    private final RecyclePolicy otherwise;

    private record LabelRule(LabelExpression label, RecyclePolicy policy) {
    }

    private PolicyRules(Builder b) {
        this.byAgent = Map.copyOf(b.byAgent);
        this.byLabel = List.copyOf(b.byLabel);
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
        for (LabelRule rule : byLabel) {
            if (rule.label().matches(labels)) {
                return rule.policy();
            }
        }
        return otherwise;
    }

    public static final class Builder {
        private final Map<String, RecyclePolicy> byAgent = new LinkedHashMap<>();
        private final List<LabelRule> byLabel = new ArrayList<>();
        private final Set<String> labelTexts = new HashSet<>();
        private final List<String> errors = new ArrayList<>();
        private RecyclePolicy otherwise = RecyclePolicy.none();

        private Builder() {
        }

        public Builder forAgent(String agent, RecyclePolicy policy) {
            add(byAgent, "agent", agent, policy);
            return this;
        }

        /**
         * A rule for the agents a label expression matches, e.g. {@code devstack_slave} or
         * {@code devstack_slave && !gpu}. Rules are tried in the order they are added.
         */
        public Builder forLabel(String label, RecyclePolicy policy) {
            if (label == null || label.isBlank()) {
                errors.add("a rule needs a label");
                return this;
            }
            LabelExpression expression;
            try {
                expression = LabelExpression.parse(label.trim());
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
                return this;
            }
            if (policy == null) {
                errors.add("label " + label.trim() + ": policy is missing");
            } else if (!labelTexts.add(label.trim())) {
                errors.add("label " + label.trim() + " has two rules; keep one");
            } else {
                byLabel.add(new LabelRule(expression, policy));
            }
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
