package dev.tollgate.gearman.jenkins;

import hudson.Extension;
import hudson.model.Item;
import hudson.model.listeners.ItemListener;

/**
 * Starts the worker once Jenkins has loaded ({@code onLoaded} comes after the initialisation
 * milestones, when the computers of every node and the queue exist), and syncs the jobs whenever one
 * is created, copied, changed (its label; enabling and disabling report here too), renamed, moved
 * or deleted.
 */
@Extension
public final class JobEvents extends ItemListener {
    @Override
    public void onLoaded() {
        GearmanRuntime.get().startWithJenkins();
    }

    @Override
    public void onCreated(Item item) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    public void onCopied(Item src, Item item) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    public void onUpdated(Item item) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    public void onRenamed(Item item, String oldName, String newName) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    public void onLocationChanged(Item item, String oldFullName, String newFullName) {
        GearmanRuntime.get().requestSync();
    }

    @Override
    public void onDeleted(Item item) {
        GearmanRuntime.get().requestSync();
    }
}
