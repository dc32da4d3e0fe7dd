package dev.tollgate.cloud.jenkins;

import dev.tollgate.cloud.AgentRecord;
import dev.tollgate.cloud.port.LifecycleStore;
import hudson.XmlFile;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;

/**
 * The engine's {@link LifecycleStore}: one XML file per cloud in the Jenkins home
 * ({@code tollgate-cloud-<name>.xml}), rewritten whole on every change. The engine saves a record
 * before it asks the cloud for an instance, so a write that fails stops the create (the exception
 * goes back to the engine). Records hold no secrets. Called under the engine's lock: writes and
 * returns; guarded by this for the in-memory copy and the file.
 */
final class XmlLifecycleStore implements LifecycleStore {
    private static final Logger LOG = Logger.getLogger(XmlLifecycleStore.class.getName());

    private final XmlFile file;
    /** agent name → record as {@link AgentRecord#toMap()}; guarded by this. */
    private final Map<String, TreeMap<String, String>> records = new LinkedHashMap<>();

    XmlLifecycleStore(File file) {
        this.file = new XmlFile(Jenkins.XSTREAM2, file);
    }

    static XmlLifecycleStore forCloud(String cloudName) {
        return new XmlLifecycleStore(new File(Jenkins.get().getRootDir(), "tollgate-cloud-" + cloudName + ".xml"));
    }

    /** What is written: a list of flat records, readable and stable across engine versions. */
    static final class Stored {
        ArrayList<TreeMap<String, String>> records = new ArrayList<>();
    }

    @Override
    public synchronized void save(AgentRecord record) {
        records.put(record.agentName(), new TreeMap<>(record.toMap()));
        write();
    }

    @Override
    public synchronized void delete(String agentName) {
        if (records.remove(agentName) != null) {
            write();
        }
    }

    @Override
    public synchronized Collection<AgentRecord> loadAll() {
        records.clear();
        List<AgentRecord> loaded = new ArrayList<>();
        if (!file.exists()) {
            return loaded;
        }
        Object o;
        try {
            o = file.read();
        } catch (IOException e) {
            // a file we cannot read must not be overwritten with nothing: the reaper's fingerprints
            // still find every instance, but keep the evidence for the administrator
            throw new UncheckedIOException("cannot read " + file.getFile() + "; move it away to start empty", e);
        }
        if (o instanceof Stored s && s.records != null) {
            for (TreeMap<String, String> m : s.records) {
                try {
                    AgentRecord r = AgentRecord.fromMap(m);
                    records.put(r.agentName(), new TreeMap<>(m));
                    loaded.add(r);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "skipping an unreadable record in " + file.getFile() + ": " + e.getMessage());
                }
            }
        }
        return loaded;
    }

    private void write() {
        Stored s = new Stored();
        s.records.addAll(records.values());
        try {
            file.write(s);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file.getFile(), e);
        }
    }

    File getFile() {
        return file.getFile();
    }
}
