package dev.tollgate.pipeline.layout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Size limits on configuration text (Zuul layouts and the JCasC section), checked before any YAML
 * parsing: SnakeYAML's time grows with the square of a line's length (seconds for one line of a
 * few megabytes), and it refuses whole files only at 3 MiB.
 * Stateless; thread-safe.
 */
public final class ConfigInput {
    /** Bytes in a configuration file (characters, for text handed over directly). */
    public static final int MAX_BYTES = 2 * 1024 * 1024;
    /** Characters in one line. */
    public static final int MAX_LINE = 64 * 1024;

    private ConfigInput() {}

    /**
     * Reads a configuration file as UTF-8 text. A file over {@link #MAX_BYTES} is refused without
     * reading it, bytes that are not UTF-8 are refused with their line; a missing or unreadable file
     * is an IOException.
     */
    public static String read(Path file) throws ConfigException, IOException {
        String name = file.toString();
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw tooLarge(name, "the file is " + size + " bytes, more than the limit of " + MAX_BYTES);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // a file may grow after it was measured, and a pipe or device has no size
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(name, "the file is longer than the limit of " + MAX_BYTES + " bytes");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int line = 1;
            for (int k = 0; k < in.position(); k++) {
                if (bytes[k] == '\n') {
                    line++;
                }
            }
            throw new ConfigException(List.of(new ConfigError(name, line, "",
                    "not UTF-8 text (byte " + in.position() + " of the file)")));
        }
        return out.flip().toString();
    }

    /**
     * The first size problem of a text, or null; every parse checks this before SnakeYAML runs (so must
     * any other reader of configuration text, such as the command-line tool's check of a whole JCasC file).
     */
    public static ConfigError check(String text, String file) {
        if (text.length() > MAX_BYTES) {
            return new ConfigError(file, 1, "", "the configuration is " + text.length()
                    + " characters long, more than the limit of " + MAX_BYTES);
        }
        int line = 1;
        int start = 0;
        while (start <= text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            if (end - start > MAX_LINE) {
                return new ConfigError(file, line, "", "the line is " + (end - start)
                        + " characters long, more than the limit of " + MAX_LINE);
            }
            line++;
            start = end + 1;
        }
        return null;
    }

    /**
     * The YAML loader settings of every configuration reader: duplicate keys are let through so the
     * reader reports them with their lines, and aliases are limited (a few lines of aliases can
     * otherwise expand to gigabytes).
     */
    public static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true);
        options.setMaxAliasesForCollections(50);
        return options;
    }

    /** YAML that SnakeYAML cannot read, as one problem on the line it names. */
    public static ConfigError yamlError(YAMLException e, String file) {
        if (e instanceof MarkedYAMLException m) {
            int line = m.getProblemMark() != null ? m.getProblemMark().getLine() + 1
                    : m.getContextMark() != null ? m.getContextMark().getLine() + 1 : 1;
            return new ConfigError(file, line, "", "invalid YAML: " + m.getProblem());
        }
        return new ConfigError(file, 1, "", "invalid YAML: " + e.getMessage());
    }

    private static ConfigException tooLarge(String file, String message) {
        return new ConfigException(List.of(new ConfigError(file, 1, "", message)));
    }
}
