package dev.tollgate.logs;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

/** Ant-style patterns with Jenkins' comma-separated lists, {@code **} across directories. */
public class AntPatternsTest {
    @Test
    public void doubleStarMatchesZeroOrMoreDirectories() {
        AntPatterns p = AntPatterns.parse("**/*.txt");
        assertTrue(p.matches("a.txt"));
        assertTrue(p.matches("logs/a.txt"));
        assertTrue(p.matches("logs/etc/nova/a.txt"));
        assertFalse(p.matches("a.txt.gz"));
        assertFalse(p.matches("logs/a.log"));

        AntPatterns mid = AntPatterns.parse("logs/**/nova/*.conf");
        assertTrue(mid.matches("logs/nova/n.conf"));
        assertTrue(mid.matches("logs/etc/nova/n.conf"));
        assertTrue(mid.matches("logs/a/b/c/nova/n.conf"));
        assertFalse(mid.matches("logs/etc/nova/sub/n.conf"));
        assertFalse(mid.matches("other/etc/nova/n.conf"));
    }

    @Test
    public void singleStarAndQuestionMarkStayInsideOneSegment() {
        AntPatterns p = AntPatterns.parse("logs/screen-*.txt");
        assertTrue(p.matches("logs/screen-n-cpu.txt"));
        assertFalse(p.matches("logs/sub/screen-n-cpu.txt"));
        assertFalse(p.matches("screen-n-cpu.txt"));
        AntPatterns q = AntPatterns.parse("log?.txt");
        assertTrue(q.matches("log1.txt"));
        assertFalse(q.matches("log12.txt"));
        assertFalse(q.matches("log/.txt"));
    }

    @Test
    public void trailingDoubleStarAndTrailingSlashMeanEverythingBelow() {
        for (String s : new String[] {"logs/**", "logs/"}) {
            AntPatterns p = AntPatterns.parse(s);
            assertTrue(s, p.matches("logs/a"));
            assertTrue(s, p.matches("logs/etc/x/y.conf"));
            assertFalse(s, p.matches("logsx/a"));
            assertFalse(s, p.matches("other/logs/a"));
        }
        assertTrue(AntPatterns.parse("**").matches("any/depth/file"));
    }

    @Test
    public void commaSeparatedListsAsJenkinsWritesThem() {
        AntPatterns p = AntPatterns.parse(" logs/**/*.txt , console.html,, *.log ");
        assertTrue(p.matches("logs/a/b.txt"));
        assertTrue(p.matches("console.html"));
        assertTrue(p.matches("x.log"));
        assertFalse(p.matches("a/x.log"));
        assertTrue(AntPatterns.parse("").isEmpty());
        assertFalse(AntPatterns.parse(" , ").matches("a"));
    }

    @Test
    public void literalCharactersAreNotRegex() {
        AntPatterns p = AntPatterns.parse("a+b(1).[x]");
        assertTrue(p.matches("a+b(1).[x]"));
        assertFalse(p.matches("aab(1)x[x]"));
    }

    @Test
    public void patternsCannotLeaveTheSourceDirectory() {
        for (String bad : new String[] {"../x", "/etc/passwd", "a/../../b"}) {
            try {
                AntPatterns.parse(bad);
                fail(bad);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("'" + bad + "'"));
            }
        }
    }
}
