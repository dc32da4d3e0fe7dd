package dev.tollgate.gearman.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * The packet types of the Gearman binary protocol (numbers from the protocol document), each with
 * the number of arguments it carries. The last argument of a packet is opaque data and may hold
 * NUL bytes; the ones before it are NUL-terminated.
 */
public enum PacketType {
    CAN_DO(1, 1),
    CANT_DO(2, 1),
    RESET_ABILITIES(3, 0),
    PRE_SLEEP(4, 0),
    NOOP(6, 0),
    SUBMIT_JOB(7, 3),
    JOB_CREATED(8, 1),
    GRAB_JOB(9, 0),
    NO_JOB(10, 0),
    JOB_ASSIGN(11, 3),
    WORK_STATUS(12, 3),
    WORK_COMPLETE(13, 2),
    WORK_FAIL(14, 1),
    GET_STATUS(15, 1),
    ECHO_REQ(16, 1),
    ECHO_RES(17, 1),
    SUBMIT_JOB_BG(18, 3),
    ERROR(19, 2),
    STATUS_RES(20, 5),
    SUBMIT_JOB_HIGH(21, 3),
    SET_CLIENT_ID(22, 1),
    CAN_DO_TIMEOUT(23, 2),
    ALL_YOURS(24, 0),
    WORK_EXCEPTION(25, 2),
    OPTION_REQ(26, 1),
    OPTION_RES(27, 1),
    WORK_DATA(28, 2),
    WORK_WARNING(29, 2),
    GRAB_JOB_UNIQ(30, 0),
    JOB_ASSIGN_UNIQ(31, 4),
    SUBMIT_JOB_HIGH_BG(32, 3),
    SUBMIT_JOB_LOW(33, 3),
    SUBMIT_JOB_LOW_BG(34, 3),
    SUBMIT_JOB_SCHED(35, 8),
    SUBMIT_JOB_EPOCH(36, 4);

    private static final Map<Integer, PacketType> BY_CODE = new HashMap<>();

    static {
        for (PacketType t : values()) {
            BY_CODE.put(t.code, t);
        }
    }

    private final int code;
    private final int argumentCount;

    PacketType(int code, int argumentCount) {
        this.code = code;
        this.argumentCount = argumentCount;
    }

    public int code() {
        return code;
    }

    public int argumentCount() {
        return argumentCount;
    }

    /** The type with this number, or null when the number is not a known packet type. */
    public static PacketType byCode(int code) {
        return BY_CODE.get(code);
    }
}
