package dev.tollgate.gearman;

/** A build as Zuul names it in management requests: job name and build number. */
public record BuildRef(String jobName, int number) {
    @Override
    public String toString() {
        return jobName + "#" + number;
    }
}
