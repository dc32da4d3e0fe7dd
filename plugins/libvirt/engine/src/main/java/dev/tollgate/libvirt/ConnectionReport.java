package dev.tollgate.libvirt;

import dev.tollgate.cloud.AgentTemplate;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * What a cloud's URI shows, for a person checking a configuration (the plugin's "Test connection"):
 * the hypervisor and its version, the storage pools, each template's base image and pool, and the
 * domains a template would reuse with their state. Opens its own read-only connection, frees every
 * handle and closes it; changes nothing. Lines that show a problem start with "! ".
 *
 * @param lines one finding per line
 * @param ok    false when the host could not be reached or something a template needs is missing
 */
public record ConnectionReport(List<String> lines, boolean ok) {
    private static final long GIB = 1024L * 1024 * 1024;

    /** Connects to the configuration's URI and reports; never throws for libvirt's errors. */
    public static ConnectionReport of(LibvirtCloudConfig config) {
        List<String> out = new ArrayList<>();
        Connect c;
        try {
            c = new Connect(config.uri(), true);
        } catch (LibvirtException e) {
            out.add("! cannot connect to " + config.uri() + ": " + JnaLibvirt.error(e).getMessage());
            return new ConnectionReport(out, false);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            out.add("! cannot load libvirt on the controller (Debian package libvirt0): " + e.getMessage());
            return new ConnectionReport(out, false);
        }
        boolean ok = true;
        try {
            long v = c.getVersion();
            out.add("connected to " + config.uri() + ": hypervisor " + c.getType() + " " + (v / 1_000_000) + "."
                    + (v / 1000 % 1000) + "." + (v % 1000) + " on host " + c.getHostName());
            List<String> pools = new ArrayList<>(List.of(c.listStoragePools()));
            pools.addAll(List.of(c.listDefinedStoragePools()));
            out.add("storage pools: " + (pools.isEmpty() ? "none" : String.join(", ", pools)));
            for (AgentTemplate<LibvirtOptions> t : config.templates()) {
                ok &= template(c, t, pools, out);
            }
        } catch (LibvirtException e) {
            out.add("! " + JnaLibvirt.error(e).getMessage());
            ok = false;
        } finally {
            try {
                c.close();
            } catch (LibvirtException e) {
                // closing a read-only connection: nothing to act on
            }
        }
        return new ConnectionReport(out, ok);
    }

    private static boolean template(Connect c, AgentTemplate<LibvirtOptions> t, List<String> pools, List<String> out)
            throws LibvirtException {
        LibvirtOptions o = t.options();
        String w = "template " + t.name() + ": ";
        boolean ok = true;
        if (o.storagePool() != null && !pools.contains(o.storagePool())) {
            out.add("! " + w + "storage pool " + o.storagePool() + " not found");
            ok = false;
        }
        if (o.baseImage() != null) {
            StorageVol vol = null;
            try {
                vol = c.storageVolLookupByPath(o.baseImage());
                out.add(w + "base image " + o.baseImage() + ", " + String.format("%.1f", vol.getInfo().capacity / (double) GIB)
                        + " GiB");
            } catch (LibvirtException e) {
                out.add("! " + w + "base image " + o.baseImage() + " is not a volume of any pool: "
                        + JnaLibvirt.error(e).getMessage());
                ok = false;
            } finally {
                if (vol != null) {
                    vol.free();
                }
            }
        }
        for (String d : o.existingDomains()) {
            Domain dom = null;
            try {
                dom = c.domainLookupByName(d);
                DomainState s = dom.getInfo().state;
                String md = null;
                try {
                    md = dom.getMetadata(2, DomainXml.NS, 0);
                } catch (LibvirtException e) {
                    if (JnaLibvirt.error(e).code() != ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA) {
                        throw e;
                    }
                }
                DomainXml.Owned owned = DomainXml.readOwned(md);
                out.add(w + "domain " + d + " " + state(s) + (owned != null ? ", held by agent "
                        + owned.fingerprint().agentName() : s == DomainState.VIR_DOMAIN_SHUTOFF ? ", free" : ", in use outside Tollgate"));
            } catch (LibvirtException e) {
                out.add("! " + w + "domain " + d + ": " + JnaLibvirt.error(e).getMessage());
                ok = false;
            } finally {
                if (dom != null) {
                    dom.free();
                }
            }
        }
        if (o.domainXml() != null) {
            out.add(w + "a new " + (o.persistent() ? "persistent" : "transient") + " domain per agent, "
                    + o.memoryMib() + " MiB, " + o.vcpus() + " vCPU, network " + o.network());
        }
        return ok;
    }

    private static String state(DomainState s) {
        return switch (s) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> "running";
            case VIR_DOMAIN_SHUTOFF -> "shut off";
            case VIR_DOMAIN_PAUSED -> "paused";
            case VIR_DOMAIN_SHUTDOWN -> "shutting down";
            case VIR_DOMAIN_CRASHED -> "crashed";
            case VIR_DOMAIN_PMSUSPENDED -> "suspended";
            case VIR_DOMAIN_NOSTATE -> "in no state";
        };
    }
}
