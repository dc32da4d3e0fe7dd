package dev.tollgate.logs;

import java.io.IOException;
import java.io.InputStream;

/** Something that can be read from the start more than once (a retry reads it again). */
@FunctionalInterface
public interface InputStreamSource {
    InputStream open() throws IOException;
}
