package dev.tollgate.common.regex;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.List;
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

    // ------------------------------------------------------------------ limits

    /** 23 characters that RE2/J would expand to a billion instructions: refused before compiling. */
    @Test
    public void nestedCountedRepetitionsAreRefusedBeforeTheyExhaustTheHeap() {
        assertRejected("((a{1000}){1000}){1000}", "counted repetitions nested inside each other make 1000000 copies, "
                + "more than the limit of 1000");
        assertRejected("(?:(?:a{2,}){20}){30}", "make 1200 copies"); // {n,} counts n
        assertRejected("(a{20}){51}", "make 1020 copies");
        assertTrue(SafePattern.compile("(a{20}){50}").search("a".repeat(1000)));
        assertTrue(SafePattern.compile("(?:a*){1000}b+").search("aab")); // *, + and ? copy nothing
    }

    @Test
    public void programSizeIsBoundedEvenWithoutNesting() {
        // ten copies of a thousand: no nesting, but 11,000 instructions
        assertRejected("a{1000}".repeat(11), "too large: it would compile to more than 10000 instructions");
        assertRejected("(?:abcdefghijk){1000}", "too large");
        // RE2 applies a repetition after an empty \Q\E or a flag group to the item before them
        assertRejected("(?:abcdefghijk)\\Q\\E{1000}", "too large");
        assertRejected("(?:abcdefghijk)(?i){1000}", "too large");
        assertRejected("(?:abcdefghijk)(?#comment){1000}", "too large");
        assertRejected("a{1001}", "the repetition count in `{1001}` is more than 1000");
        assertRejected("a{99999999999}", "is more than 1000");
        assertTrue(SafePattern.compile("[0-9a-f]{40}|(?:abcdefghi){1000}").search("deadbeef".repeat(5)));
    }

    @Test
    public void lengthIsBoundedBeforeAnyParsing() {
        assertTrue(SafePattern.compile("a".repeat(SafePattern.MAX_LENGTH)).search("a".repeat(SafePattern.MAX_LENGTH)));
        assertRejected("a".repeat(SafePattern.MAX_LENGTH + 1), "the pattern is 4097 characters long, more than the "
                + "limit of 4096");
        // a class of 300,000 ranges took RE2/J 25 seconds to validate
        StringBuilder ranges = new StringBuilder("[");
        for (int i = 0; i < 300_000; i++) {
            ranges.appendCodePoint(0x100 + 2 * i);
        }
        assertRejected(ranges.append(']').toString(), "characters long, more than the limit of 4096");
    }

    /** 20,000 nested groups overflowed RE2/J's stack (StackOverflowError, not a message). */
    @Test
    public void nestingDepthIsBounded() {
        assertRejected("(".repeat(20_000) + "a" + ")".repeat(20_000), "characters long, more than the limit of 4096");
        assertRejected("(".repeat(101) + "a" + ")".repeat(101), "groups are nested more than 100 deep");
        assertRejected("(?:".repeat(101) + "a" + ")".repeat(101), "nested more than 100 deep");
        assertTrue(SafePattern.compile("(".repeat(100) + "a" + ")".repeat(100)).search("a"));
    }

    /** The worst shapes within the limits compile on a small thread stack (the parser recurses). */
    @Test
    public void theWorstPatternsWithinTheLimitsCompileOnASmallStack() throws Exception {
        List<String> worst = new ArrayList<>();
        worst.add("(".repeat(100) + "a*" + ")*".repeat(100));
        worst.add("(?:".repeat(100) + "a|b" + ")?".repeat(100));
        StringBuilder prefixes = new StringBuilder("a");
        for (int i = 2; prefixes.length() < SafePattern.MAX_LENGTH - 100; i++) {
            prefixes.append('|').append("a".repeat(i)); // alternation factoring nests one level per branch
        }
        worst.add(prefixes.toString());
        worst.add("a|".repeat(SafePattern.MAX_LENGTH / 2 - 1) + "a");
        worst.add("(?:(?:(?:a{10}){10}){10})" + "x".repeat(3000));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                for (String p : worst) {
                    SafePattern.compile(p).search("a".repeat(10_000));
                }
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        assertNull(String.valueOf(thrown.get()), thrown.get());
    }

    // ------------------------------------------------------------------ Python re semantics

    /** Python's $ also matches before a final newline: Zuul fires on a recheck comment that ends with one. */
    @Test
    public void dollarAlsoMatchesBeforeAFinalNewlineAsInPython() {
        SafePattern p = SafePattern.compile("^metaplugin-recheck$");
        assertTrue(p.search("metaplugin-recheck"));
        assertTrue(p.search("metaplugin-recheck\n"));
        assertFalse(p.search("metaplugin-recheck\n\n"));
        assertFalse(p.search("metaplugin-recheck\nthanks"));
        assertTrue(p.match("metaplugin-recheck\n")); // re.match: job names, branches
        assertTrue(SafePattern.compile("^stable/ocata$").match("stable/ocata\n"));
        assertTrue(SafePattern.compile("(a$|b)c?").search("a\n"));
        assertTrue(SafePattern.compile("a$$").search("a\n"));
    }

    @Test
    public void dollarThatIsNotAnAnchorIsLeftAlone() {
        assertTrue(SafePattern.compile("cost [$]5").search("cost $5"));
        assertFalse(SafePattern.compile("a[$]").search("a\n"));
        assertTrue(SafePattern.compile("[^$]$").search("x\n"));
        assertTrue(SafePattern.compile("a\\$").search("a$"));
        assertFalse(SafePattern.compile("a\\$").search("a\n"));
        assertTrue(SafePattern.compile("\\Qa$\\E").search("a$"));
        assertFalse(SafePattern.compile("\\Qa$\\E").search("a\n"));
        assertTrue(SafePattern.compile("a\\\\$").search("a\\\n")); // an escaped backslash, then the anchor
    }

    /** In multiline mode $ is the end of any line in both engines: nothing to translate. */
    @Test
    public void multilineDollarIsEndOfLineInBothEngines() {
        SafePattern m = SafePattern.compile("(?m)^recheck$");
        assertTrue(m.search("thanks\nrecheck\nplease"));
        assertTrue(m.search("recheck\n\n"));
        // Python 2 applies a flag group wherever it stands to the whole pattern
        assertTrue(SafePattern.compile("^recheck$(?m)").search("recheck\nplease"));
        assertTrue(SafePattern.compile("(?m:^recheck$)").search("recheck\nplease"));
        assertFalse(SafePattern.compile("(?m:^recheck)$").search("recheck\nplease"));
        assertTrue(SafePattern.compile("(?m:^recheck)$").search("recheck\n"));
        assertFalse(SafePattern.compile("(?m)(?-m:^recheck$)").search("recheck\nplease"));
    }

    /**
     * The one difference left: Python's $ matches no text, the translation takes the final newline.
     * After a $ that meets it, Python goes on before the newline and this engine after it.
     */
    @Test
    public void knownDifferenceWhatComesAfterADollarThatMetTheFinalNewline() {
        assertFalse(SafePattern.compile("a$\\n").search("a\n")); // Python: True
        assertTrue(SafePattern.compile("^a$\\Z").search("a\n")); // Python: False
        assertTrue(SafePattern.compile("a$\\s*").search("a\n")); // the usual forms agree
        assertTrue(SafePattern.compile("a\\s*$").search("a \n"));
    }

    @Test
    public void otherPythonSpellingsMeanWhatTheyMeantToPython() {
        assertTrue(SafePattern.compile("recheck\\Z").search("recheck"));
        assertFalse(SafePattern.compile("recheck\\Z").search("recheck\n"));
        assertTrue(SafePattern.compile("^a{,2}b$").search("aab"));
        assertFalse(SafePattern.compile("^a{,2}b$").search("aaab"));
        assertTrue(SafePattern.compile("^a{,}b").search("aaab"));
        assertTrue(SafePattern.compile("x{2").search("x{2")); // not a repetition: a literal in both
        SafePattern either = SafePattern.compile("recheck|(?i)REVERIFY");
        assertTrue(either.search("RECHECK"));
        assertTrue(either.search("reverify"));
        assertTrue(SafePattern.compile("re(?#the word)check").search("recheck"));
        SafePattern posix = SafePattern.compile("^[[:alpha:]]+$"); // Python: a class of [ : a l p h, then ]
        assertFalse(posix.search("word"));
        assertFalse(posix.search("alpha]"));
        assertTrue(posix.search("a]]"));
        assertTrue(SafePattern.compile("(?i:RE)check").search("recheck"));
    }

    @Test
    public void flagsRe2OrPythonCannotHonourAreRefused() {
        assertRejected("(?x) re check", "the verbose flag (?x) is not supported");
        assertRejected("(?u)\\w+", "the inline flag `u` is not supported");
        assertRejected("a(?-i)b", "turning a flag off needs a scoped group such as (?-i:...)");
        assertRejected("(?)a", "unknown group syntax");
        assertRejected("(?P>n)", "unknown group syntax");
        assertRejected("a(?#unterminated", "missing ) after the comment");
    }

    @Test
    public void equalityIsBySource() {
        assertEquals(SafePattern.compile("a+"), SafePattern.compile("a+"));
        assertFalse(SafePattern.compile("a+").equals(SafePattern.compile("a*")));
    }

    private static void assertRejected(String pattern, String reason) {
        try {
            SafePattern.compile(pattern);
            fail("accepted " + (pattern.length() > 200 ? pattern.substring(0, 200) + "..." : pattern));
        } catch (UnsupportedPatternException e) {
            assertTrue(e.getMessage() + " should contain " + reason, e.getMessage().contains(reason));
        }
    }
}
