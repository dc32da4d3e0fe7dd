package dev.tollgate.logs;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** The build's console log, uploaded as one file at the top of the published folder. */
public record ConsoleLog(String name, InputStreamSource content) {
    public ConsoleLog {
        String problem = name == null ? "an empty name" : null;
        if (name != null) {
            // judge each part first, so '../x' is reported as '..' rather than as a slash
            for (String part : name.split("/", -1)) {
                problem = problem != null ? problem : RemoteNames.problemWithSegment(part);
            }
            problem = problem != null ? problem : RemoteNames.problemWithSegment(name);
        }
        if (problem != null) {
            throw new IllegalArgumentException("console log name '" + (name == null ? "" : RemoteNames.printable(name))
                    + "' contains " + problem + "; give a plain file name such as console.html");
        }
        Objects.requireNonNull(content, "console log content");
    }

    public static ConsoleLog of(String name, Path file) {
        return new ConsoleLog(name, () -> Files.newInputStream(file));
    }

    public static ConsoleLog of(String name, byte[] content) {
        byte[] copy = content.clone();
        return new ConsoleLog(name, () -> new ByteArrayInputStream(copy));
    }
}
