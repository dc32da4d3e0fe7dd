package dev.tollgate.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.lang.System.Logger.Level;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A directory of the local file system as a {@link LogSource}: the publisher's source rules applied
 * where the files are. The walk never follows a link: a link is published only when it leads to a
 * regular file inside the directory (under the link's name), never to a directory; special files
 * (FIFOs, devices, sockets) and names a log server could misread are refused; a file with more hard
 * links than the walk found names for it inside the directory is refused too (its other name may be
 * a file from outside). Each listed file records the identity of every directory on its way and of
 * itself ({@link LocalFiles}), and {@link #open} reads it only if it is still exactly that file.
 *
 * <p>A listing can be made in one process and opened in another on the same machine (a build
 * agent's, asked by the controller): its {@link Location}s hold text only. Stateless apart from its
 * directory; thread-safe.
 */
public final class LocalLogSource implements LogSource {
    private static final System.Logger LOG = System.getLogger(LocalLogSource.class.getName());

    private final Path directory;
    private final LocalFiles opener;

    /** The files under {@code directory}, opened the safest way the platform allows. */
    public LocalLogSource(Path directory) {
        this(directory, LocalFiles.forPlatform());
    }

    LocalLogSource(Path directory, LocalFiles opener) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    public Path directory() {
        return directory;
    }

    /**
     * Where a listed file is: the source directory's real path, the names from it down to the file
     * (the target's, for a link), and the identity of the directory, of each directory below it and
     * of the file, as {@link LocalFiles#identity} writes them.
     */
    record Location(String base, List<String> segments, List<String> keys) implements Serializable {
        private static final long serialVersionUID = 1L;

        Location {
            Objects.requireNonNull(base, "base");
            segments = List.copyOf(segments);
            keys = java.util.Collections.unmodifiableList(new ArrayList<>(keys)); // a key may be null
        }
    }

    /**
     * Opens a listed file from the directory and names its location holds, refusing it when any of
     * them is no longer what was listed (the directory itself included).
     */
    @Override
    public InputStream open(Entry entry) throws IOException {
        if (!(entry.location() instanceof Location l)) {
            throw new Streams.SourceReadException("cannot read " + RemoteNames.printable(entry.path())
                    + ": it was not listed from a directory", null);
        }
        Path base = directory.getFileSystem().getPath(l.base());
        return opener.open(new LocalFiles.Planned(base, l.segments(), l.keys(), entry.size()));
    }

    /**
     * As {@link #open}, for a reader in another process that takes whatever the stream gives (a
     * stream pushed to it, as Jenkins' remoting does): the stream ends one byte past the listed size.
     * That byte tells the publisher the file grew since it was listed; nothing more of a log that is
     * still being written is read or sent.
     */
    public InputStream openBounded(Entry entry) throws IOException {
        InputStream in = open(entry);
        long limit = entry.size() < 0 ? Long.MAX_VALUE : entry.size() + 1;
        return new java.io.FilterInputStream(in) {
            private long left = limit;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                long skipped = super.skip(Math.min(n, left));
                left -= skipped;
                return skipped;
            }

            @Override
            public int available() throws IOException {
                return (int) Math.min(super.available(), left);
            }
        };
    }

    /** What the walk saw of one regular file (or link), before the patterns and checks. */
    private record Seen(Path path, BasicFileAttributes attrs) {}

    @Override
    public Listing list(String includes, String excludes) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException("source directory " + directory + " does not exist or is not a directory");
        }
        AntPatterns include = AntPatterns.parse(includes == null || includes.isBlank() ? "**" : includes);
        AntPatterns exclude = AntPatterns.parse(excludes);
        // Walk the real path: every file is later reached from here, one directory at a time, and each
        // directory must still be the one seen now (its file key).
        Path root = directory.toRealPath();
        List<FileProblem> skipped = new ArrayList<>();
        List<Seen> found = new ArrayList<>();
        Map<Path, Object> dirKeys = new HashMap<>();
        Map<Object, Integer> namesInTree = new HashMap<>();
        // NOFOLLOW: a symlink is seen as a link, and judged below instead of being walked into.
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                dirKeys.put(dir, attrs.fileKey());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                found.add(new Seen(file, attrs));
                if (attrs.isRegularFile() && attrs.fileKey() != null) {
                    namesInTree.merge(attrs.fileKey(), 1, Integer::sum);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                skipped.add(new FileProblem(relative(root, file), "cannot be read: " + e.getMessage()));
                return FileVisitResult.CONTINUE;
            }
        });
        Map<Path, String> rels = new HashMap<>();
        for (Seen s : found) {
            rels.put(s.path(), relative(root, s.path()));
        }
        found.sort(Comparator.comparing(s -> rels.get(s.path())));
        List<Entry> entries = new ArrayList<>();
        for (Seen seen : found) {
            Path file = seen.path();
            String rel = rels.get(file);
            if (!include.matches(rel) || exclude.matches(rel)) {
                continue;
            }
            String badSegment = null;
            for (Path seg : root.relativize(file)) {
                String problem = RemoteNames.problemWithSegment(seg.toString());
                if (problem != null) {
                    badSegment = problem;
                    break;
                }
            }
            if (badSegment != null) {
                reject(skipped, rel, "file name contains " + badSegment + "; not uploaded");
                continue;
            }
            Path readFrom = file;
            BasicFileAttributes attrs = seen.attrs();
            if (attrs.isSymbolicLink()) {
                Path target;
                try {
                    target = file.toRealPath();
                } catch (IOException e) {
                    reject(skipped, rel, "symlink is dangling; not followed");
                    continue;
                }
                if (!target.startsWith(root)) {
                    reject(skipped, rel, "symlink points outside the source directory (to " + target + "); not followed");
                    continue;
                }
                if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                    reject(skipped, rel, "symlink to a directory; not followed");
                    continue;
                }
                readFrom = target;
                attrs = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } else if (!attrs.isRegularFile()) {
                reject(skipped, rel, "not a regular file; not uploaded");
                continue;
            }
            String hardLinks = outsideHardLinks(readFrom, attrs, namesInTree);
            if (hardLinks != null) {
                reject(skipped, rel, hardLinks);
                continue;
            }
            Location location = location(root, readFrom, attrs, dirKeys);
            if (location == null) {
                reject(skipped, rel, "changed while it was planned; not uploaded");
                continue;
            }
            entries.add(new Entry(rel, attrs.size(), location));
        }
        return new Listing(entries, skipped);
    }

    /**
     * A hard link is a second name for the same file, and it can be made to a file outside the source
     * directory (e.g. the agent's own keys) as easily as a symbolic link. A file with more links than
     * the names the walk found for it inside the source directory is refused.
     */
    private static String outsideHardLinks(Path file, BasicFileAttributes attrs, Map<Object, Integer> namesInTree) {
        int links;
        try {
            links = ((Number) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue();
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return null; // no link count on this platform
        }
        int inside = attrs.fileKey() == null ? 1 : namesInTree.getOrDefault(attrs.fileKey(), 0);
        if (links > Math.max(1, inside)) {
            return "has " + links + " hard links but only " + inside + " inside the source directory; another name"
                    + " may be a file from outside it; not uploaded";
        }
        return null;
    }

    /** How to reach the file from the root one directory at a time, with the identity of each step. */
    private static Location location(Path root, Path file, BasicFileAttributes attrs, Map<Path, Object> dirKeys) {
        List<String> segments = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        keys.add(LocalFiles.identity(dirKeys.get(root)));
        Path dir = root;
        Path relative = root.relativize(file);
        for (int i = 0; i < relative.getNameCount(); i++) {
            String seg = relative.getName(i).toString();
            segments.add(seg);
            if (i < relative.getNameCount() - 1) {
                dir = dir.resolve(seg);
                if (!dirKeys.containsKey(dir)) {
                    return null; // not a directory the walk entered
                }
                keys.add(LocalFiles.identity(dirKeys.get(dir)));
            }
        }
        keys.add(LocalFiles.identity(attrs.fileKey()));
        return new Location(root.toString(), segments, keys);
    }

    private static void reject(List<FileProblem> skipped, String rel, String reason) {
        LOG.log(Level.WARNING, "log publish: {0}: {1}", RemoteNames.printable(rel), RemoteNames.printable(reason));
        skipped.add(new FileProblem(rel, reason));
    }

    static String relative(Path root, Path file) {
        StringBuilder b = new StringBuilder();
        for (Path seg : root.relativize(file)) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(seg);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return "LocalLogSource[" + directory + "]";
    }
}
