package dev.tollgate.pipeline.regex;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.Test;

public class SafePatternTest {
    /** The seed's recheck regex, exactly as the layout has it. */
    static final String RECHECK = "(?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*metaplugin-recheck\\s*$";

    @Test
    public void searchIsPythonReSearchAndMatchIsReMatch() {
        SafePattern p = SafePattern.compile("stable/");
        assertTrue(p.search("refs/heads/stable/ocata"));
        assertFalse(p.match("refs/heads/stable/ocata"));
        assertTrue(p.match("stable/ocata"));
        assertFalse(p.search(null));
    }

    @Test
    public void seedRecheckRegex() {
        SafePattern p = SafePattern.compile(RECHECK);
        assertTrue(p.search("metaplugin-recheck"));
        assertTrue(p.search("Patch Set 1:\n\nmetaplugin-recheck"));
        assertTrue(p.search("Patch Set 3: Code-Review+1\n\nmetaplugin-recheck"));
        assertTrue(p.search("Patch Set 3: Code-Review+1\n\nMETAPLUGIN-RECHECK\n"));
        assertFalse(p.search("recheck"));
        assertFalse(p.search("Patch Set 1:\n\nrecheck"));
        assertFalse(p.search("Patch Set 1:\n\nplease do metaplugin-recheck now"));
    }

    /** A multi-megabyte comment built to make a backtracking engine recurse once per word. */
    static String hostileComment(int words) {
        StringBuilder sb = new StringBuilder("Patch Set 1:");
        for (int i = 0; i < words; i++) {
            sb.append(" w");
        }
        return sb.toString();
    }

    @Test(timeout = 60_000) // a hang guard only, not a timing assertion
    public void hostileMegabyteCommentCompletesInLinearTime() {
        SafePattern p = SafePattern.compile(RECHECK);
        String comment = hostileComment(1_000_000) + " !"; // 2 MB that almost match, then fail at the very end
        assertFalse(p.search(comment));
        assertTrue(p.search(hostileComment(10_000) + "\n\nmetaplugin-recheck"));
    }

    /** Why RE2/J: java.util.regex recurses per repetition and dies on the seed's own pattern. */
    @Test(timeout = 60_000)
    public void javaUtilRegexOverflowsItsStackOnTheSeedRegex() throws Exception {
        java.util.regex.Pattern jdk = java.util.regex.Pattern.compile(RECHECK);
        String comment = hostileComment(200_000) + "\n\nmetaplugin-recheck";
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                jdk.matcher(comment).find();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "jdk-regex", 1024 * 1024);
        t.start();
        t.join(60_000);
        assertTrue("expected StackOverflowError, got " + thrown.get(), thrown.get() instanceof StackOverflowError);
    }

    @Test
    public void rejectsWhatCannotRunInLinearTimeWithAClearMessage() {
        assertRejected("(a)\\1", "backreferences");
        assertRejected("foo(?=bar)", "lookahead/lookbehind");
        assertRejected("(?<!x)foo", "lookahead/lookbehind");
        assertRejected("recheck\\Z", "write \\z");
        assertRejected("(?>a+)", "atomic groups");
        assertRejected("(?P<n>a)(?P=n)", "named backreferences");
        assertRejected("a(b", "invalid regex (RE2 syntax)");
        assertRejected("a**", "invalid regex (RE2 syntax)");
    }

    @Test
    public void acceptsWhatLooksLikeUnsupportedSyntaxButIsNot() {
        assertTrue(SafePattern.compile("a\\\\1").search("a\\1"));
        assertTrue(SafePattern.compile("[(?=]x").search("=x"));
        assertTrue(SafePattern.compile("(?P<name>ab)c").search("abc"));
        assertTrue(SafePattern.compile("end\\z").search("the end"));
    }

    @Test
    public void equalityIsBySource() {
        assertEquals(SafePattern.compile("a+"), SafePattern.compile("a+"));
        assertFalse(SafePattern.compile("a+").equals(SafePattern.compile("a*")));
    }

    private static void assertRejected(String pattern, String reason) {
        try {
            SafePattern.compile(pattern);
            fail("accepted " + pattern);
        } catch (UnsupportedPatternException e) {
            assertTrue(e.getMessage() + " should contain " + reason, e.getMessage().contains(reason));
        }
    }
}
