package dev.tollgate.recycle;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Set;
import org.junit.Test;

/** Label expressions as Jenkins' grammar reads them: what is valid, what it matches, and the errors. */
public class LabelExpressionTest {

    private static boolean matches(String expression, String... labels) {
        return LabelExpression.parse(expression).matches(Set.of(labels));
    }

    private static String error(String expression) {
        try {
            LabelExpression.parse(expression);
            fail("accepted `" + expression + "`");
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    public void aSingleLabelMatchesTheAgentsThatCarryIt() {
        assertTrue(matches("devstack_slave", "devstack_slave", "slave1"));
        assertFalse(matches("devstack_slave", "slave1"));
        assertTrue(LabelExpression.parse("devstack_slave").isSingleLabel());
        assertTrue(LabelExpression.parse("  devstack_slave\t").isSingleLabel());
        assertFalse(LabelExpression.parse("a && b").isSingleLabel());
    }

    @Test
    public void operatorsBindAsInJenkins() {
        // && binds tighter than ||
        assertTrue(matches("a || b && c", "a"));
        assertFalse(matches("(a || b) && c", "a"));
        // ! applies to the label right after it
        assertTrue(matches("!a && b", "b"));
        assertFalse(matches("!(a && b)", "a", "b"));
        // -> binds looser than ||: a -> (b || c)
        assertTrue(matches("a -> b || c", "a", "c"));
        assertTrue(matches("a -> b", "b"));
        assertTrue(matches("a -> b"));
        assertFalse(matches("a -> b", "a"));
        // <-> is loosest and may repeat, left to right
        assertTrue(matches("a <-> b", "a", "b"));
        assertTrue(matches("a <-> b"));
        assertFalse(matches("a <-> b", "a"));
        assertTrue(matches("a <-> b <-> c", "c")); // (F == F) == T
        assertTrue(matches("a -> b <-> c", "a", "b", "c"));
        assertTrue(matches("!(!a)", "a"));
    }

    @Test
    public void labelsAreWhatJenkinsLexesAsOneAtom() {
        // a '-' is part of a label unless it starts '->'
        assertTrue(matches("ubuntu-22.04", "ubuntu-22.04"));
        assertTrue(matches("a-->b", "a-", "b"));
        assertFalse(matches("a-->b", "a-"));
        assertTrue(matches("-x", "-x"));
        assertTrue(matches("x-", "x-"));
        // no spaces needed around operators
        assertTrue(matches("a&&b||c", "c"));
        assertTrue(matches("a->b", "b"));
        assertTrue(matches("a<->b", "a", "b"));
        // anything else is a label character: dots, slashes, colons, non-ASCII
        assertTrue(matches("os:linux/x86_64", "os:linux/x86_64"));
        assertTrue(matches("größe", "größe"));
        assertEquals(Set.of("a", "b c", "d\"e"), LabelExpression.parse("a && \"b c\" || \"d\\\"e\"").atoms());
    }

    @Test
    public void quotedLabelsTakeJenkinsEscapes() {
        assertTrue(matches("\"my label\"", "my label"));
        assertTrue(matches("\"tab\\there\"", "tab\there"));
        assertTrue(matches("\"it\\'s\"", "it's"));
        assertTrue(matches("\"back\\\\slash\"", "back\\slash"));
        assertTrue(matches("\"a && b\"", "a && b"));
        assertFalse(matches("\"\"", "a")); // an empty label is valid and matches nothing
    }

    @Test
    public void invalidExpressionsSayWhatAndWhere() {
        assertEquals(List.of(
                        "label expression is empty",
                        "label expression is empty",
                        "invalid label expression `a & b`: `&` is not an operator; use `&&` (at character 3)",
                        "invalid label expression `a | b`: `|` is not an operator; use `||` (at character 3)",
                        "invalid label expression `a -> b -> c`: `->` cannot follow another `->` at the same level; add "
                                + "parentheses, e.g. (a -> b) -> c (at character 8)",
                        "invalid label expression `!!a`: `!` cannot directly follow `!`; write !(!a), or leave both out "
                                + "(at character 2)",
                        "invalid label expression `a &&`: a label is missing at the end (at character 5)",
                        "invalid label expression `(a || b`: expected `)` to close the `(` at character 1, got the end "
                                + "(at character 8)",
                        "invalid label expression `a)`: `)` closes no `(` (at character 2)",
                        "invalid label expression `a b`: `b` follows a complete expression; join them with `&&` or `||` "
                                + "(at character 3)",
                        "invalid label expression `a !b`: `!` after a label or `)` joins nothing; add `&&` or `||` "
                                + "before it (at character 3)",
                        "invalid label expression `()`: expected a label or `(`, got `)` (at character 2)",
                        "invalid label expression `&& a`: expected a label or `(`, got `&&` (at character 1)",
                        "invalid label expression `a < b`: `<` is not an operator; use `<->`, or quote a label that "
                                + "contains it (at character 3)",
                        "invalid label expression `a>b`: `>` is not an operator; use `->`, or quote a label that "
                                + "contains it (at character 2)",
                        "invalid label expression `'a'`: `'` cannot start or be part of a label; quote labels with "
                                + "double quotes (at character 1)",
                        "invalid label expression `\"a`: the quoted label is not closed with `\"` (at character 1)",
                        "invalid label expression `\"a\\qb\"`: `\\q` is not an escape in a quoted label (use \\\" \\\\ "
                                + "\\' \\b \\t \\n \\f \\r) (at character 3)",
                        "invalid label expression `(a -> b -> c)`: `->` cannot follow another `->` at the same level; "
                                + "add parentheses, e.g. (a -> b) -> c (at character 9)"),
                List.of(error(""), error(" \t"), error("a & b"), error("a | b"), error("a -> b -> c"), error("!!a"),
                        error("a &&"), error("(a || b"), error("a)"), error("a b"), error("a !b"), error("()"),
                        error("&& a"), error("a < b"), error("a>b"), error("'a'"), error("\"a"), error("\"a\\qb\""),
                        error("(a -> b -> c)")));
    }

    @Test
    public void aChainOfImplicationsIsValidWithParentheses() {
        assertTrue(matches("(a -> b) -> c", "c"));
        assertTrue(matches("a -> (b -> c)", "a", "b", "c"));
        assertFalse(matches("a -> (b -> c)", "a", "b"));
    }

    @Test
    public void aQuotedLabelCannotSpanLines() {
        assertTrue(error("\"a\nb\"").contains("a quoted label cannot span lines"));
        // unquoted, a line break is a label character in Jenkins' grammar (only space and tab separate)
        assertTrue(matches("a\nb", "a\nb"));
    }
}
