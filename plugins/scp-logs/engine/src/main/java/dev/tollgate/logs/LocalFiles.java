package dev.tollgate.logs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Opens planned local files for reading without following links, and checks that what is opened is
 * what was planned: the same directory at every level from the trusted base down, and the same file
 * (file keys recorded at plan time). A build that is still running can swap a file or a directory for
 * a link between planning and reading; such a file is refused, never read.
 *
 * <p>{@link #secure()} walks from the base with {@link SecureDirectoryStream} (Linux has it): each
 * directory is opened relative to the one above it with {@code NOFOLLOW_LINKS}, and its key is read
 * from the opened directory itself, so a swap cannot redirect the walk. The file is opened with
 * {@code NOFOLLOW_LINKS} inside the last opened directory; Java offers no way to read the key of an
 * opened file, so its key is read by name in that directory just before and just after opening.
 * {@link #portable()} (platforms without it) refuses every link on the path and rechecks every key
 * by path after opening. Stateless and thread-safe.
 */
abstract class LocalFiles {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /**
     * Where a planned file is and what it was: one identity ({@link #identity}) for the base and for
     * each segment.
     */
    record Planned(Path base, List<String> segments, List<String> keys, long size) {
        Planned {
            segments = List.copyOf(segments);
            keys = java.util.Collections.unmodifiableList(new ArrayList<>(keys)); // keys may be null
            if (segments.isEmpty() || keys.size() != segments.size() + 1) {
                throw new IllegalArgumentException("a planned file needs a key for its base and each segment");
            }
        }

        String label(int segmentsUpTo) {
            return segmentsUpTo == 0 ? "the source directory" : String.join("/", segments.subList(0, segmentsUpTo));
        }
    }

    /** The file is not (or no longer) what was planned: it fails alone and is never read. */
    static final class ChangedException extends Streams.SourceReadException {
        ChangedException(String message, Throwable cause) {
            super("changed after planning: " + message, cause);
        }
    }

    /**
     * A file key as text. The JDK's file keys (device and inode on Unix) identify a file but are not
     * serializable; their text identifies it just as well and can travel with a listing made in
     * another process on the same machine. Null when the platform has no file keys.
     */
    static String identity(Object fileKey) {
        return fileKey == null ? null : fileKey.toString();
    }

    static LocalFiles forPlatform() {
        return SECURE_AVAILABLE ? secure() : portable();
    }

    static LocalFiles secure() {
        return Secure.INSTANCE;
    }

    static LocalFiles portable() {
        return Portable.INSTANCE;
    }

    private static final boolean SECURE_AVAILABLE = probeSecure();

    private static boolean probeSecure() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")))) {
            return ds instanceof SecureDirectoryStream;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Opens the file as planned, or throws {@link ChangedException} / another SourceReadException. */
    abstract PlannedFileStream open(Planned p) throws Streams.SourceReadException;

    /** An {@link InputStreamSource} for one planned file, opened through this opener. */
    InputStreamSource source(Planned p) {
        return new Source(this, p);
    }

    record Source(LocalFiles opener, Planned planned) implements InputStreamSource {
        @Override
        public InputStream open() throws IOException {
            return opener.open(planned);
        }
    }

    /** The opened file; {@link #currentSize()} asks the open file itself (not the name) how long it is now. */
    static final class PlannedFileStream extends FilterInputStream {
        private final SeekableByteChannel channel;

        PlannedFileStream(SeekableByteChannel channel) {
            super(Channels.newInputStream(channel));
            this.channel = channel;
        }

        SeekableByteChannel channel() {
            return channel;
        }

        long currentSize() throws IOException {
            return channel.size();
        }
    }

    private static void expect(BasicFileAttributes a, String key, boolean directory, Planned p, int upTo)
            throws ChangedException {
        String what = p.label(upTo);
        if (a.isSymbolicLink()) {
            throw new ChangedException(what + " is now a symbolic link; not followed", null);
        }
        if (directory ? !a.isDirectory() : !a.isRegularFile()) {
            throw new ChangedException(what + " is no longer a " + (directory ? "directory" : "regular file")
                    + "; not uploaded", null);
        }
        if (!Objects.equals(identity(a.fileKey()), key)) {
            throw new ChangedException(what + " was replaced by another " + (directory ? "directory" : "file")
                    + "; not uploaded", null);
        }
    }

    private static Streams.SourceReadException openFailed(Planned p, int upTo, IOException e) {
        // ELOOP from an O_NOFOLLOW open: the entry became a link between the check and the open
        if (e instanceof FileSystemException fe && fe.getReason() != null
                && fe.getReason().toLowerCase(java.util.Locale.ROOT).contains("symbolic link")) {
            return new ChangedException(p.label(upTo) + " is now a symbolic link; not followed", e);
        }
        return new Streams.SourceReadException("cannot read " + p.label(p.segments().size()) + ": " + e, e);
    }

    private static final class Secure extends LocalFiles {
        static final Secure INSTANCE = new Secure();

        @Override
        PlannedFileStream open(Planned p) throws Streams.SourceReadException {
            List<DirectoryStream<Path>> opened = new ArrayList<>();
            int level = 0;
            try {
                DirectoryStream<Path> top = Files.newDirectoryStream(p.base());
                opened.add(top);
                if (!(top instanceof SecureDirectoryStream<Path> dir)) {
                    return Portable.INSTANCE.open(p);
                }
                // the base itself may have been swapped: compare the key of what was opened
                expect(dir.getFileAttributeView(BasicFileAttributeView.class).readAttributes(), p.keys().get(0), true,
                        p, 0);
                int last = p.segments().size() - 1;
                for (level = 1; level <= last; level++) {
                    Path name = p.base().getFileSystem().getPath(p.segments().get(level - 1));
                    // checked by name first: opening a FIFO that took a directory's place would block
                    expect(attributesOf(dir, name), p.keys().get(level), true, p, level);
                    SecureDirectoryStream<Path> next = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                    opened.add(next);
                    expect(next.getFileAttributeView(BasicFileAttributeView.class).readAttributes(),
                            p.keys().get(level), true, p, level);
                    dir = next;
                }
                Path name = p.base().getFileSystem().getPath(p.segments().get(last));
                String key = p.keys().get(last + 1);
                expect(attributesOf(dir, name), key, false, p, last + 1);
                SeekableByteChannel ch = dir.newByteChannel(name,
                        Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
                try {
                    expect(attributesOf(dir, name), key, false, p, last + 1);
                } catch (ChangedException e) {
                    ch.close();
                    throw e;
                }
                return new PlannedFileStream(ch);
            } catch (ChangedException e) {
                throw e;
            } catch (IOException e) {
                throw openFailed(p, level, e);
            } finally {
                for (DirectoryStream<Path> d : opened) {
                    try {
                        d.close();
                    } catch (IOException ignored) {
                        // a directory handle we only read through
                    }
                }
            }
        }

        private static BasicFileAttributes attributesOf(SecureDirectoryStream<Path> dir, Path name) throws IOException {
            return dir.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        }
    }

    private static final class Portable extends LocalFiles {
        static final Portable INSTANCE = new Portable();

        @Override
        PlannedFileStream open(Planned p) throws Streams.SourceReadException {
            int level = 0;
            try {
                checkPath(p);
                Path file = resolve(p, p.segments().size());
                SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ,
                        LinkOption.NOFOLLOW_LINKS));
                try {
                    checkPath(p); // a swap between the checks and the open shows now
                } catch (ChangedException e) {
                    ch.close();
                    throw e;
                }
                return new PlannedFileStream(ch);
            } catch (ChangedException e) {
                throw e;
            } catch (IOException e) {
                throw openFailed(p, level, e);
            }
        }

        private static void checkPath(Planned p) throws IOException {
            int n = p.segments().size();
            for (int level = 0; level <= n; level++) {
                BasicFileAttributes a = Files.readAttributes(resolve(p, level), BasicFileAttributes.class, NOFOLLOW);
                expect(a, p.keys().get(level), level < n, p, level);
            }
        }

        private static Path resolve(Planned p, int upTo) {
            Path x = p.base();
            for (int i = 0; i < upTo; i++) {
                x = x.resolve(p.segments().get(i));
            }
            return x;
        }
    }
}
