package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.AgentRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One line of the cloud page: an agent's record as an administrator reads it. Immutable; made
 * per page view from {@code CloudEngine.records()}.
 */
public final class AgentRow {
    private final AgentRecord record;
    private final Instant now;
    private final double hourlyPrice;

    AgentRow(AgentRecord record, Instant now, double hourlyPrice) {
        this.record = record;
        this.now = now;
        this.hourlyPrice = hourlyPrice;
    }

    public String getName() {
        return record.agentName();
    }

    public String getTemplate() {
        return record.templateName();
    }

    public String getState() {
        return record.state().name();
    }

    /** Since the instance was requested, e.g. {@code 1h 05m}. */
    public String getAge() {
        return AgentRow.format(Duration.between(record.createdAt(), now));
    }

    public String getInstanceId() {
        return record.instanceId() == null ? "(not known yet)" : record.instanceId();
    }

    public int getUses() {
        return record.uses();
    }

    /** Price per hour times the age, in USD; empty when the driver does not know the price. */
    public String getCost() {
        if (Double.isNaN(hourlyPrice) || hourlyPrice < 0) {
            return "";
        }
        double hours = Duration.between(record.createdAt(), now).toSeconds() / 3600.0;
        return String.format(Locale.ROOT, "$%.2f ($%.4f/h)", hours * hourlyPrice, hourlyPrice);
    }

    public String getReason() {
        return record.reason() == null ? "" : record.reason();
    }

    static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        long m = s / 60;
        return m < 60 ? m + "m" : (m / 60) + "h " + String.format(Locale.ROOT, "%02dm", m % 60);
    }
}
