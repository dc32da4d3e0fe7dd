package dev.tollgate.recycle.jenkins;

import static org.junit.Assert.assertEquals;

import dev.tollgate.recycle.LabelExpression;
import hudson.model.Label;
import hudson.model.labels.LabelAtom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * The engine reads label expressions as Jenkins does: the same texts are valid, and a valid one
 * matches the same agents as {@code Label.parseExpression(...).matches(...)}.
 */
public class LabelExpressionAgreementTest {
    @Rule
    public JenkinsRule r = new JenkinsRule();

    static final List<String> EXPRESSIONS = List.of(
            "devstack_slave", "a && b", "a || b && c", "(a || b) && c", "!a", "!(a && b)", "!!a", "a -> b", "a->b",
            "a -> b -> c", "(a -> b) -> c", "a <-> b", "a <-> b <-> c", "a<->b", "a-->b", "-x", "x-", "ubuntu-22.04",
            "\"my label\"", "\"a\\\"b\"", "\"unclosed", "'a'", "a & b", "a | b", "a b", "a !b", "()", "(a", "a)",
            "&& a", "a &&", "a < b", "a>b", "os:linux/x86_64", " a ", "\"\"", "a\nb", "\"a\\qb\"");

    static final List<String> ATOMS = List.of("a", "b", "c", "devstack_slave", "my label", "a\"b", "a-", "-x", "x-",
            "ubuntu-22.04", "os:linux/x86_64", "a\nb");

    @Test
    public void sameValidityAndSameMatches() {
        List<Set<String>> agents = new ArrayList<>();
        for (int mask = 0; mask < 1 << 4; mask++) { // every combination of a, b, c, devstack_slave
            Set<String> labels = new HashSet<>(ATOMS.subList(4, ATOMS.size()));
            for (int i = 0; i < 4; i++) {
                if ((mask & 1 << i) != 0) {
                    labels.add(ATOMS.get(i));
                }
            }
            agents.add(labels);
        }
        for (String text : EXPRESSIONS) {
            Label jenkins;
            try {
                jenkins = Label.parseExpression(text);
            } catch (RuntimeException e) {
                jenkins = null;
            }
            LabelExpression engine;
            try {
                engine = LabelExpression.parse(text);
            } catch (IllegalArgumentException e) {
                engine = null;
            }
            assertEquals("valid in Jenkins and in the engine alike: `" + text + "`", jenkins != null, engine != null);
            if (jenkins == null) {
                continue;
            }
            for (Set<String> labels : agents) {
                Set<LabelAtom> atoms = new HashSet<>();
                labels.forEach(l -> atoms.add(LabelAtom.get(l)));
                assertEquals("`" + text + "` on " + labels, jenkins.matches(atoms), engine.matches(labels));
            }
        }
    }
}
