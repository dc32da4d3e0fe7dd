package dev.tollgate.pipeline.bridge;

import com.sonymobile.tools.gerrit.gerritevents.GerritEventListener;
import com.sonymobile.tools.gerrit.gerritevents.dto.GerritEvent;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A gerrit-events listener that converts every event it is given and hands the result to a
 * consumer (in the Jenkins plugin: the pipeline scheduler).
 *
 * <p>Meant for registration on the Gerrit Trigger plugin's shared handler
 * ({@code GerritTriggerApi().getHandler().addListener(adapter)}), which calls
 * {@link #gerritEvent(GerritEvent)} on one of its worker threads for every server it is connected
 * to. An event that cannot be converted, or a consumer that throws, is logged and dropped: nothing
 * is thrown back into the handler's thread, so one bad event cannot disturb the other listeners.
 *
 * <p>The handler keeps listeners in a set, so two adapters are equal when they have the same
 * {@code name}: registering again under the same name is a no-op, and
 * {@code removeListener(new GerritEventsListenerAdapter(name, x))} removes the registered one.
 */
public final class GerritEventsListenerAdapter implements GerritEventListener {
    private static final System.Logger LOG = System.getLogger(GerritEventsListenerAdapter.class.getName());

    private final String name;
    private final Consumer<? super BridgedEvent> sink;
    private final GerritEventsBridge bridge = new GerritEventsBridge();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param name identity of this listener in the handler's set (e.g. {@code tollgate-gerrit-pipeline})
     * @param sink receives converted events, on the handler's thread
     */
    public GerritEventsListenerAdapter(String name, Consumer<? super BridgedEvent> sink) {
        this.name = Objects.requireNonNull(name, "name");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** For a consumer that does not need the server name (one Gerrit Trigger server only). */
    public static GerritEventsListenerAdapter forEngineEvents(String name,
            Consumer<? super dev.tollgate.pipeline.event.GerritEvent> sink) {
        Objects.requireNonNull(sink, "sink");
        return new GerritEventsListenerAdapter(name, bridged -> sink.accept(bridged.event()));
    }

    @Override
    public void gerritEvent(GerritEvent event) {
        BridgedEvent converted;
        try {
            converted = bridge.convert(event);
        } catch (UnconvertibleEventException e) {
            dropped.incrementAndGet();
            LOG.log(Level.WARNING, "{0}: dropping a Gerrit event from server {1}: {2}", name,
                    e.serverName() == null ? "(none)" : e.serverName(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            // a DTO in a state the bridge did not foresee; never the handler's problem
            dropped.incrementAndGet();
            LOG.log(Level.ERROR, name + ": dropping a Gerrit event that could not be converted: "
                    + (event == null ? "null" : event.getClass().getName()), e);
            return;
        }
        try {
            sink.accept(converted);
            forwarded.incrementAndGet();
        } catch (RuntimeException e) {
            dropped.incrementAndGet();
            LOG.log(Level.ERROR, name + ": the consumer failed on " + describe(converted), e);
        }
    }

    /** Events handed to the consumer without error. */
    public long forwardedCount() {
        return forwarded.get();
    }

    /** Events dropped: not convertible, or the consumer threw. */
    public long droppedCount() {
        return dropped.get();
    }

    public String name() {
        return name;
    }

    private static String describe(BridgedEvent e) {
        dev.tollgate.pipeline.event.GerritEvent ev = e.event();
        String what = ev.change() != null ? " change " + ev.change().number() : ev.ref() != null ? " " + ev.ref() : "";
        return ev.typeName() + what + (e.serverName() == null ? "" : " from " + e.serverName());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GerritEventsListenerAdapter other && name.equals(other.name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "GerritEventsListenerAdapter[" + name + "]";
    }
}
