package dev.tollgate.pipeline.scheduler.state;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

/**
 * The saved form of a {@link SchedulerState}: one JSON object, {@code {"format": 1, "revision": ...,
 * "takenAt": ..., "items": [...]}}, the records written key for key by Jackson, instants as ISO-8601
 * text ({@code 2026-01-01T00:00:00Z}), enums by name. Reading is strict: every key of a record must
 * be there and nothing else may be, so a damaged or hand-edited file is refused with the place and
 * the reason rather than read half. A file of a newer format (written by a newer engine) is refused
 * as such; a change to the form that older engines cannot read takes a new {@link #FORMAT}.
 * Stateless, thread-safe.
 */
public final class SchedulerStateCodec {
    /** The format this engine writes, and the newest it reads. */
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new SimpleModule("instants").addSerializer(Instant.class, new InstantText())
                    .addDeserializer(Instant.class, new InstantFromText()))
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET) // the caller owns the writer and the reader
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .build();

    private SchedulerStateCodec() {}

    /** Writes the state as JSON; the writer is flushed, not closed. */
    public static void write(SchedulerState state, Writer out) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.setAll((ObjectNode) JSON.valueToTree(state));
        JSON.writeValue(out, root);
        out.flush();
    }

    public static String toJson(SchedulerState state) {
        StringWriter w = new StringWriter();
        try {
            write(state, w);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    /**
     * Reads a state written by {@link #write}.
     *
     * @throws SchedulerStateException when the text is not a scheduler state this engine can read
     * @throws IOException             when the reader fails
     */
    public static SchedulerState read(Reader in) throws IOException, SchedulerStateException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new SchedulerStateException("scheduler state is not valid JSON: " + e.getOriginalMessage()
                    + located(e), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new SchedulerStateException("scheduler state is empty");
        }
        if (!root.isObject()) {
            throw new SchedulerStateException("not a scheduler state: expected a JSON object, got " + root.getNodeType());
        }
        JsonNode format = root.get("format");
        if (format == null || !format.canConvertToInt() || !format.isIntegralNumber()) {
            throw new SchedulerStateException("not a scheduler state: no \"format\" number");
        }
        int version = format.intValue();
        if (version > FORMAT) {
            throw new SchedulerStateException("scheduler state is in format " + version + ", written by a newer "
                    + "version of Tollgate; this version reads format " + FORMAT + " and older");
        }
        if (version < 1) {
            throw new SchedulerStateException("not a scheduler state: format " + version);
        }
        ObjectNode body = ((ObjectNode) root).deepCopy();
        body.remove("format");
        try {
            return JSON.treeToValue(body, SchedulerState.class);
        } catch (JsonMappingException e) {
            throw new SchedulerStateException("scheduler state is damaged at " + path(e) + ": " + reason(e), e);
        } catch (JsonProcessingException e) {
            throw new SchedulerStateException("scheduler state is damaged: " + e.getOriginalMessage(), e);
        }
    }

    public static SchedulerState fromJson(String json) throws SchedulerStateException {
        try {
            return read(new StringReader(json));
        } catch (SchedulerStateException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringReader does not fail
        }
    }

    private static String located(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    /** Where in the document, e.g. {@code items[0].builds[1].attempt}. */
    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "the top level" : sb.toString();
    }

    /** The record's own check when a constructor refused the values, else Jackson's reason in short. */
    private static String reason(JsonMappingException e) {
        if (e instanceof ValueInstantiationException && e.getCause() != null && e.getCause().getMessage() != null) {
            Throwable c = e.getCause();
            return c instanceof NullPointerException ? "missing " + c.getMessage() : c.getMessage();
        }
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown key";
        }
        if (e instanceof InvalidFormatException f) {
            return "expected " + expected(f.getTargetType()) + ", got " + f.getValue();
        }
        if (e.getOriginalMessage().startsWith("Missing creator property")) {
            return "missing";
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return "expected " + expected(m.getTargetType());
        }
        return e.getOriginalMessage();
    }

    private static String expected(Class<?> t) {
        if (t == Instant.class) {
            return "an ISO-8601 instant such as 2026-01-01T00:00:00Z";
        }
        if (t.isEnum()) {
            return "one of " + Arrays.toString(t.getEnumConstants());
        }
        if (t == int.class || t == long.class || t == Integer.class || t == Long.class) {
            return "a whole number";
        }
        if (t == boolean.class || t == Boolean.class) {
            return "true or false";
        }
        if (t == String.class) {
            return "a string";
        }
        return t.isArray() || java.util.Collection.class.isAssignableFrom(t) ? "a list" : "an object";
    }

    private static final class InstantText extends StdSerializer<Instant> {
        InstantText() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }

    private static final class InstantFromText extends StdDeserializer<Instant> {
        InstantFromText() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText();
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
            }
        }
    }
}
