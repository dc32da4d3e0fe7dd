package dev.tollgate.gearman;

/**
 * How the worker's threads treat a {@link Throwable}: they ride out all of them except the two that
 * say the JVM itself is broken. {@link OutOfMemoryError} and {@link StackOverflowError} are ridden
 * out: they are thrown in the thread that allocated or recursed, and unwinding it frees what it
 * held (the worker's own reads are bounded, see {@code PacketCodec}). A connection thread that meets
 * one drops its session and reconnects with backoff; a port that throws one fails the job or the
 * request it was called for.
 */
final class Faults {
    private Faults() {}

    /** True for the errors no thread should try to carry on after. */
    static boolean fatal(Throwable t) {
        return t instanceof InternalError || t instanceof UnknownError;
    }

    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /**
     * Text for a packet to the server, at most {@value #MAX_TEXT} characters: messages may quote
     * what the server sent (a unique id, a function), and an answer must fit in a packet.
     */
    static String forPeer(String text) {
        if (text == null || text.length() <= MAX_TEXT) {
            return text;
        }
        return text.substring(0, MAX_TEXT) + "... (" + text.length() + " characters)";
    }

    static final int MAX_TEXT = 300;
}
