package dev.tollgate.gearman;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * One function of the manager's connection ({@code stop:<manager>}, {@code set_description:<manager>}):
 * a request about builds, answered at once with {@code WORK_COMPLETE} and
 * {@code {"ok": bool, "message": ...}}, even when no build matched.
 *
 * <p>Threading: {@link #answer} is called on the manager connection's reader thread without the
 * worker's lock; an implementation decides under the lock and calls ports outside it.
 */
interface ManagementFunction {
    /** The function as registered, e.g. {@code stop:jenkins01}. */
    String name();

    /**
     * The answer to one job.
     *
     * @throws IllegalArgumentException a request that cannot be read; answered with
     *     {@code WORK_EXCEPTION} and the message
     */
    String answer(String unique, byte[] data);

    /** The JSON answer both functions give, its message cut to a packet's measure. */
    static String reply(boolean ok, String message) {
        ObjectNode o = JobArguments.JSON.createObjectNode();
        o.put("ok", ok);
        o.put("message", Faults.forPeer(message));
        return new String(JobArguments.bytes(o), StandardCharsets.UTF_8);
    }
}
