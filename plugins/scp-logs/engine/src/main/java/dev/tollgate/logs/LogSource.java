package dev.tollgate.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Port: where a build's log files are. {@link #list} walks them where they are and applies the
 * publisher's source rules there (the patterns; nothing reached through a link out of the source
 * directory, no special files, no second name of a file from outside it); {@link #open} reads one
 * listed file, refusing it when it is no longer what was listed. The publisher plans its upload from
 * the listing and streams each file through {@link #open} into the same upload pipeline, whatever the
 * source.
 *
 * <p>{@link LocalLogSource} is the local file system (a request's {@code source(Path)}). Another
 * implementation may list and read in another process, e.g. on the build agent that holds the
 * workspace, so that the files are judged where they are while the upload, and the log host's
 * credentials, stay in the publishing process. That is why {@link Listing} and {@link Entry} are
 * {@link Serializable}, and why the publisher checks a listing again when it receives it: names,
 * sizes and patterns of a listing made on a build agent are as trustworthy as the build itself.
 *
 * <p>Implementations must allow {@link #open} from several threads at once (the upload channels),
 * and {@link #open} of the same entry more than once (a retry reads a file again).
 */
public interface LogSource {
    /**
     * The files to publish.
     *
     * @param includes Ant-style comma-separated patterns ({@code **} when blank)
     * @param excludes Ant-style comma-separated patterns (none when blank)
     * @throws IOException when the source cannot be listed at all (e.g. its directory is missing)
     */
    Listing list(String includes, String excludes) throws IOException;

    /**
     * The content of a listed file, from its start. A stream that ends before {@link Entry#size()}
     * bytes fails that file; bytes past it are not published (the file grew after listing).
     *
     * @throws IOException when the file cannot be read or is no longer the file that was listed; that
     *                     file fails alone
     */
    InputStream open(Entry entry) throws IOException;

    /**
     * One file to publish.
     *
     * @param path     its name under the destination, relative, '/'-separated (the name in the source
     *                 directory, or the link's name for a link that stays inside it)
     * @param size     its size when listed; exactly this many bytes are published
     * @param location what the source needs to open it again (opaque to the publisher)
     */
    record Entry(String path, long size, Serializable location) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Entry {
            Objects.requireNonNull(path, "path");
        }

        /** The last part of the path: the name a flattened upload gives it. */
        public String fileName() {
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    /**
     * What a source lists: the files to publish, sorted by path, and the files it refused (an
     * unsafe name, a link out of the source, a special file) with the reason.
     */
    record Listing(List<Entry> entries, List<FileProblem> skipped) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Listing {
            entries = List.copyOf(entries);
            skipped = List.copyOf(skipped);
        }
    }
}
