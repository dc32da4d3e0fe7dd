package dev.tollgate.logs;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Everything one publish will upload, worked out before any connection: the files with their remote
 * names (relative to the destination folder), every remote directory (parents first, so each is
 * created exactly once), and the files that were skipped or rejected, with reasons. The files come
 * from the request's {@link LogSource} (a local directory by default), which judged them where they
 * are; their names are judged again here.
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
        // parsed here first: a bad pattern is the request's fault, found before any source is asked
        AntPatterns includes = AntPatterns.parse(request.includes() == null || request.includes().isBlank()
                ? "**" : request.includes());
        AntPatterns excludes = AntPatterns.parse(request.excludes());
        Map<String, Item> byRemote = new LinkedHashMap<>();
        List<FileProblem> skipped = new ArrayList<>();
        ConsoleLog console = request.consoleLog();
        if (console != null) {
            planConsole(console, opener, byRemote, skipped, request);
        }
        LogSource files = request.files() != null ? request.files()
                : request.sourceDir() != null ? new LocalLogSource(request.sourceDir(), opener) : null;
        if (files != null) {
            LogSource.Listing listing = files.list(request.includes(), request.excludes());
            if (listing == null) {
                throw new IOException("the log source " + files + " listed nothing, not even an empty listing");
            }
            for (FileProblem p : listing.skipped()) {
                skipped.add(new FileProblem(shorten(p.path()), shorten(p.reason())));
            }
            for (LogSource.Entry e : listing.entries()) {
                String problem = problemWith(e, includes, excludes);
                if (problem != null) {
                    reject(skipped, shorten(e.path()), problem);
                    continue;
                }
                String remote = request.flatten() ? e.fileName() : e.path();
                add(byRemote, skipped, request, remote, e.path(), () -> files.open(e), e.size());
            }
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
     * Why a listed file is not published, or null. The source applied these rules already; they are
     * applied again here because a source in another process (a build agent) is no more trustworthy
     * than the build that ran there: whatever it lists, no name can leave the destination folder.
     */
    private static String problemWith(LogSource.Entry e, AntPatterns includes, AntPatterns excludes) {
        for (String segment : e.path().split("/", -1)) {
            String problem = RemoteNames.problemWithSegment(segment);
            if (problem != null) {
                return "file name contains " + problem + "; not uploaded";
            }
        }
        if (e.size() < 0) {
            return "listed with a negative size; not uploaded";
        }
        if (!includes.matches(e.path()) || excludes.matches(e.path())) {
            return "listed although the patterns do not take it; not uploaded";
        }
        return null;
    }

    /** A name or reason from a source, cut to a length a log line and a report can carry. */
    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "... (" + s.length() + " characters)";
    }

    private static final int MAX_TEXT = 1000;

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
                    java.util.Arrays.asList(LocalFiles.identity(baseKey), LocalFiles.identity(a.fileKey())), a.size());
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
}
