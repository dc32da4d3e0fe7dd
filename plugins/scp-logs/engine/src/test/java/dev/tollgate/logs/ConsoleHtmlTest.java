package dev.tollgate.logs;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** The console page: every character a build prints is text on the log server, never markup. */
public class ConsoleHtmlTest {
    private static String page(String title, String text, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try (ConsoleHtml page = ConsoleHtml.open(out, title)) {
            // written in pieces as a log is, with escapes and multi-byte characters across their edges
            for (int i = 0; i < b.length; i += chunk) {
                page.write(b, i, Math.min(chunk, b.length - i));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void markupInTheLogIsEscapedAndCharactersAreKept() throws IOException {
        String log = "+ echo '<script>alert(1)</script>' && test \"$x\" > 0\n</pre><img src=x onerror=y>\ncaf\u00e9 "
                + "\u65e5\u672c \uD83D\uDE00 done\n";
        String expected = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>check #3 &lt;b&gt;</title>"
                + "</head>\n<body><pre>+ echo &#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39; &amp;&amp; test "
                + "&quot;$x&quot; &gt; 0\n&lt;/pre&gt;&lt;img src=x onerror=y&gt;\ncaf\u00e9 \u65e5\u672c \uD83D\uDE00 "
                + "done\n</pre></body></html>\n";
        for (int chunk : new int[] {1, 2, 3, 7, 1 << 16}) {
            String html = page("check #3 <b>", log, chunk);
            assertEquals("chunk " + chunk, expected, html);
            assertFalse(html.contains("<script"));
        }
    }

    @Test
    public void singleBytesAreEscapedToo() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ConsoleHtml page = ConsoleHtml.open(out, null)) {
            page.write('<');
            page.write(0xC3);
            page.write(0xA9);
            page.close(); // twice: the end is written once
        }
        assertEquals("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title></title></head>\n<body><pre>&lt;"
                + "\u00e9</pre></body></html>\n", out.toString(StandardCharsets.UTF_8));
    }
}
