package dev.tollgate.logs;

import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Everything one publish will upload, worked out locally before any connection: the files with their
 * remote names (relative to the destination folder), every remote directory (parents first, so each
 * is created exactly once), and the local files that were skipped or rejected, with reasons.
 */
public final class UploadPlan {
    private static final System.Logger LOG = System.getLogger(UploadPlan.class.getName());

    /** One file to upload. {@code remotePath} is relative to the destination folder. */
    public record Item(String remotePath, String sourceLabel, InputStreamSource source, long size, boolean gzip) {}

    private final String destination;
    private final List<Item> items;
    private final List<String> directories;
    private final List<FileProblem> skipped;

    private UploadPlan(String destination, List<Item> items, List<String> directories, List<FileProblem> skipped) {
        this.destination = destination;
        this.items = List.copyOf(items);
        this.directories = List.copyOf(directories);
        this.skipped = List.copyOf(skipped);
    }

    public String destination() {
        return destination;
    }

    /** Largest first: big files start early and small ones fill the channels at the end. */
    public List<Item> items() {
        return items;
    }

    /** Directories under the destination (relative), parents before children. */
    public List<String> directories() {
        return directories;
    }

    public List<FileProblem> skipped() {
        return skipped;
    }

    public long totalBytes() {
        return items.stream().mapToLong(i -> Math.max(0, i.size())).sum();
    }

    public static UploadPlan of(PublishRequest request) throws IOException {
        return of(request, LocalFiles.forPlatform());
    }

    static UploadPlan of(PublishRequest request, LocalFiles opener) throws IOException {
        String dest = DestinationPattern.resolve(request.destination(), request.parameters());
        Map<String, Item> byRemote = new LinkedHashMap<>();
        List<FileProblem> skipped = new ArrayList<>();
        ConsoleLog console = request.consoleLog();
        if (console != null) {
            planConsole(console, opener, byRemote, skipped, request);
        }
        if (request.sourceDir() != null) {
            scan(request, opener, byRemote, skipped);
        }
        List<Item> items = new ArrayList<>(byRemote.values());
        items.sort(Comparator.comparingLong(Item::size).reversed().thenComparing(Item::remotePath));
        TreeSet<String> dirs = new TreeSet<>(Comparator.comparingInt((String d) -> depth(d)).thenComparing(d -> d));
        for (Item i : items) {
            String p = i.remotePath();
            int slash;
            while ((slash = p.lastIndexOf('/')) > 0) {
                p = p.substring(0, slash);
                dirs.add(p);
            }
        }
        return new UploadPlan(dest, items, new ArrayList<>(dirs), skipped);
    }

    /**
     * A console log given as a file is read like a workspace file: not through a link, and only if it
     * is still the file that was planned, at most its planned size.
     */
    private static void planConsole(ConsoleLog console, LocalFiles opener, Map<String, Item> byRemote,
            List<FileProblem> skipped, PublishRequest request) throws IOException {
        InputStreamSource content = console.content();
        long size = -1;
        if (content instanceof ConsoleLog.FileContent f) {
            Path file = f.file();
            BasicFileAttributes a;
            Path base;
            try {
                a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                base = file.toAbsolutePath().getParent().toRealPath();
            } catch (IOException e) {
                reject(skipped, "console log", "cannot be read: " + e.getMessage());
                return;
            }
            if (a.isSymbolicLink()) {
                reject(skipped, "console log", "is a symbolic link; not followed");
                return;
            }
            if (!a.isRegularFile()) {
                reject(skipped, "console log", "is not a regular file; not uploaded");
                return;
            }
            Object baseKey = Files.readAttributes(base, BasicFileAttributes.class).fileKey();
            LocalFiles.Planned planned = new LocalFiles.Planned(base, List.of(file.getFileName().toString()),
                    java.util.Arrays.asList(baseKey, a.fileKey()), a.size());
            content = opener.source(planned);
            size = a.size();
        } else if (content instanceof ConsoleLog.BytesContent b) {
            size = b.length();
        }
        add(byRemote, skipped, request, console.name(), "console log", content, size);
    }

    private static int depth(String d) {
        int n = 0;
        for (int i = 0; i < d.length(); i++) {
            if (d.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    /** What the walk saw of one regular file (or link), before the patterns and checks. */
    private record Seen(Path path, BasicFileAttributes attrs) {}

    private static void scan(PublishRequest request, LocalFiles opener, Map<String, Item> byRemote,
            List<FileProblem> skipped) throws IOException {
        Path given = request.sourceDir();
        if (!Files.isDirectory(given)) {
            throw new IOException("source directory " + given + " does not exist or is not a directory");
        }
        // Walk the real path: every file is later reached from here, one directory at a time, and each
        // directory must still be the one seen now (its file key).
        Path root = given.toRealPath();
        AntPatterns includes = AntPatterns.parse(request.includes() == null || request.includes().isBlank()
                ? "**" : request.includes());
        AntPatterns excludes = AntPatterns.parse(request.excludes());
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
        for (Seen seen : found) {
            Path file = seen.path();
            String rel = rels.get(file);
            if (!includes.matches(rel) || excludes.matches(rel)) {
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
            LocalFiles.Planned planned = planned(root, readFrom, attrs, dirKeys);
            if (planned == null) {
                reject(skipped, rel, "changed while it was planned; not uploaded");
                continue;
            }
            String remote = request.flatten() ? file.getFileName().toString() : rel;
            add(byRemote, skipped, request, remote, rel, opener.source(planned), attrs.size());
        }
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

    /** How to reach the file from the root one directory at a time, with the key of each step. */
    private static LocalFiles.Planned planned(Path root, Path file, BasicFileAttributes attrs,
            Map<Path, Object> dirKeys) {
        List<String> segments = new ArrayList<>();
        List<Object> keys = new ArrayList<>();
        keys.add(dirKeys.get(root));
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
                keys.add(dirKeys.get(dir));
            }
        }
        keys.add(attrs.fileKey());
        return new LocalFiles.Planned(root, segments, keys, attrs.size());
    }

    private static void add(Map<String, Item> byRemote, List<FileProblem> skipped, PublishRequest request,
            String remote, String label, InputStreamSource source, long size) {
        boolean gzip = request.gzip() && isText(remote, request) && !remote.endsWith(".gz");
        String name = gzip ? remote + ".gz" : remote;
        Item earlier = byRemote.get(name);
        if (earlier != null) {
            reject(skipped, label, "would be uploaded as " + name + ", which " + earlier.sourceLabel()
                    + " already is; kept the first");
            return;
        }
        byRemote.put(name, new Item(name, label, source, size, gzip));
    }

    private static boolean isText(String name, PublishRequest request) {
        String base = name.substring(name.lastIndexOf('/') + 1);
        int dot = base.lastIndexOf('.');
        return dot > 0 && request.gzipExtensions().contains(base.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static void reject(List<FileProblem> skipped, String rel, String reason) {
        LOG.log(Level.WARNING, "log publish: {0}: {1}", RemoteNames.printable(rel), RemoteNames.printable(reason));
        skipped.add(new FileProblem(rel, reason));
    }

    private static String relative(Path root, Path file) {
        StringBuilder b = new StringBuilder();
        for (Path seg : root.relativize(file)) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(seg);
        }
        return b.toString();
    }
}
