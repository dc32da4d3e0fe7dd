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
        String dest = DestinationPattern.resolve(request.destination(), request.parameters());
        Map<String, Item> byRemote = new LinkedHashMap<>();
        List<FileProblem> skipped = new ArrayList<>();
        ConsoleLog console = request.consoleLog();
        if (console != null) {
            add(byRemote, skipped, request, console.name(), "console log", console.content(), -1);
        }
        if (request.sourceDir() != null) {
            scan(request, byRemote, skipped);
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

    private static int depth(String d) {
        int n = 0;
        for (int i = 0; i < d.length(); i++) {
            if (d.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    private static void scan(PublishRequest request, Map<String, Item> byRemote, List<FileProblem> skipped)
            throws IOException {
        Path root = request.sourceDir();
        if (!Files.isDirectory(root)) {
            throw new IOException("source directory " + root + " does not exist or is not a directory");
        }
        Path realRoot = root.toRealPath();
        AntPatterns includes = AntPatterns.parse(request.includes() == null || request.includes().isBlank()
                ? "**" : request.includes());
        AntPatterns excludes = AntPatterns.parse(request.excludes());
        List<Path> found = new ArrayList<>();
        // NOFOLLOW: a symlink is seen as a link, and judged below instead of being walked into.
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                found.add(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                skipped.add(new FileProblem(relative(root, file), "cannot be read: " + e.getMessage()));
                return FileVisitResult.CONTINUE;
            }
        });
        Map<Path, String> rels = new java.util.HashMap<>();
        for (Path file : found) {
            rels.put(file, relative(root, file));
        }
        found.sort(Comparator.comparing(rels::get));
        for (Path file : found) {
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
            if (Files.isSymbolicLink(file)) {
                Path target;
                try {
                    target = file.toRealPath();
                } catch (IOException e) {
                    reject(skipped, rel, "symlink is dangling; not followed");
                    continue;
                }
                if (!target.startsWith(realRoot)) {
                    reject(skipped, rel, "symlink points outside the source directory (to " + target + "); not followed");
                    continue;
                }
                if (!Files.isRegularFile(target)) {
                    reject(skipped, rel, "symlink to a directory; not followed");
                    continue;
                }
                readFrom = target;
            } else if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                reject(skipped, rel, "not a regular file; not uploaded");
                continue;
            }
            String remote = request.flatten() ? file.getFileName().toString() : rel;
            Path src = readFrom;
            add(byRemote, skipped, request, remote, rel, () -> Files.newInputStream(src), Files.size(src));
        }
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
