package dev.tollgate.pipeline.layout;

import dev.tollgate.common.config.Schema;
import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Where a reader found the records it built, so that {@link LayoutValidator} can say
 * {@code FILE:LINE: key: message} and report a rule's problem in reading order: for each record and
 * each key read, its line, the number of reading errors reported so far (a rule's problem about a key
 * comes right after the reading problems found up to that key), the key as the file spells it, and
 * whether the file gave it at all. Records are told apart by identity. One reader, one thread.
 */
final class Positions {
    /** A line, a place among the reading errors, and the key as the file spells it. */
    record Mark(int line, int index, String key) { }

    /** For records built in code (e.g. from Jenkins' describables): no lines, keys as named. */
    static final Positions NONE = new Positions(UnaryOperator.identity(), false);

    private final UnaryOperator<String> spelling;
    private final boolean fromFile;
    private final Map<Object, Marks> byRecord = new IdentityHashMap<>();

    /** @param spelling a record key as the file writes it (the JCasC form: as is) */
    Positions(UnaryOperator<String> spelling) {
        this(spelling, true);
    }

    private Positions(UnaryOperator<String> spelling, boolean fromFile) {
        this.spelling = spelling;
        this.fromFile = fromFile;
    }

    /** Starts the marks of a record being read, at its node's line; {@code key} is the key it was read under. */
    Marks open(int line, String key) {
        return new Marks(line, key);
    }

    /** The marks of one record, collected while it is read, kept once the record exists. */
    final class Marks {
        private final int line;
        private final String key;
        private int end;
        private final Map<String, Mark> keys = new HashMap<>();
        /** Per list key, the first place each element value was read (lists may drop repeats). */
        private final Map<String, Map<Object, Mark>> elements = new HashMap<>();
        private final Set<String> given = new HashSet<>();

        private Marks(int line, String key) {
            this.line = line;
            this.key = key;
        }

        /** A key read at {@code line}, {@code index} reading errors so far; {@code given}: the file has it. */
        Marks key(String name, int at, int index, String spelled, boolean isGiven) {
            keys.put(name, new Mark(at, index, spelled));
            if (isGiven) {
                given.add(name);
            }
            return this;
        }

        /** An element of a list key; a value read before keeps its first place. */
        Marks element(String name, Object value, int at, int index, String spelled) {
            elements.computeIfAbsent(name, k -> new HashMap<>()).putIfAbsent(value, new Mark(at, index, spelled));
            return this;
        }

        /** The record is built; {@code index}: reading errors once all of it was read. */
        <R> R close(R record, int index) {
            end = index;
            if (record != null) {
                byRecord.put(record, this);
            }
            return record;
        }
    }

    /** The record itself: its line, the place after all of it was read, the key it was read under. */
    Mark of(Object record, String keyOfRecord) {
        Marks m = byRecord.get(record);
        return m == null ? new Mark(0, 0, spell(keyOfRecord)) : new Mark(m.line, m.end, m.key);
    }

    /** One key of the record; a key the file did not give is placed at the record's end. */
    Mark of(Object record, String keyOfRecord, String key) {
        Marks m = byRecord.get(record);
        if (m == null) {
            return new Mark(0, 0, spell(key));
        }
        Mark k = m.keys.get(key);
        return k != null ? k : new Mark(m.line, m.end, spell(key));
    }

    /** Where an element of a list key was first read; falls back to the key's mark. */
    Mark of(Object record, String keyOfRecord, String key, Object element) {
        Marks m = byRecord.get(record);
        Map<Object, Mark> values = m == null ? null : m.elements.get(key);
        Mark e = values == null ? null : values.get(element);
        return e != null ? e : of(record, keyOfRecord, key);
    }

    /**
     * Did the file give this key? For a record built in code, a required key always counts as given
     * and any other one when it has a value (not null, not an empty list).
     */
    boolean given(Object record, String key) {
        if (!fromFile) {
            return setInCode(record, key);
        }
        Marks m = byRecord.get(record);
        return m != null && m.given.contains(key);
    }

    /** The key as the file writes it. */
    String spell(String key) {
        return spelling.apply(key);
    }

    private static boolean setInCode(Object record, String key) {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            if (c.getName().equals(key)) {
                if (c.isAnnotationPresent(Schema.Required.class)) {
                    return true;
                }
                Object v = Records.value(c, record);
                return v != null && !(v instanceof List<?> l && l.isEmpty());
            }
        }
        throw new IllegalArgumentException(record.getClass().getSimpleName() + " has no key " + key);
    }
}
