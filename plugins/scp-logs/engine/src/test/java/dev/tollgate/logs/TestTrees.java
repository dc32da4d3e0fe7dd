package dev.tollgate.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Writing log-like trees and comparing them by checksum. */
final class TestTrees {
    private TestTrees() {}

    /** Writes a file of text-like lines, deterministic for a seed. */
    static void writeText(Path file, int bytes, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder(bytes + 100);
        String[] words = {"INFO", "DEBUG", "nova.compute.manager", "req-", "instance", "spawned", "ERROR", "neutron",
            "keystone", "GET /v2.1/servers", "200", "took", "0.0123s", "oslo_concurrency.lockutils", "acquired"};
        int line = 0;
        while (b.length() < bytes) {
            b.append("2026-11-21 23:").append(10 + line % 50).append(':').append(line % 60).append('.')
                    .append(r.nextInt(1000)).append(' ');
            int n = 4 + r.nextInt(10);
            for (int i = 0; i < n; i++) {
                b.append(words[r.nextInt(words.length)]).append(i % 3 == 0 ? Integer.toHexString(r.nextInt()) : "")
                        .append(' ');
            }
            b.append('\n');
            line++;
        }
        b.setLength(bytes);
        Files.writeString(file, b, StandardCharsets.UTF_8);
    }

    static void writeBinary(Path file, int bytes, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Files.write(file, data);
    }

    /** relative path ('/'-separated) to SHA-256 of the content, for every regular file below dir. */
    static Map<String, String> checksums(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    out.put(dir.relativize(p).toString().replace('\\', '/'), sha256(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gunzip(Path file) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
