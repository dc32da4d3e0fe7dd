package dev.tollgate.libvirt;

import dev.tollgate.cloud.port.Fingerprint;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * The domain and volume XML the driver writes and reads: placeholders filled with XML-escaped values,
 * the fingerprint in the domain's {@code <metadata>} (in the namespace {@link #NS}), the agent's
 * environment as SMBIOS OEM strings, and overlay volumes backed by a base image. Pure functions over
 * the JDK's DOM parser (DTDs refused, so no entity tricks), safe from any thread.
 */
public final class DomainXml {
    /** Namespace of the driver's element in a domain's {@code <metadata>}. */
    public static final String NS = "https://tollgate.dev/xmlns/libvirt-agent/1";
    /** Prefix of every OEM string the driver writes: {@code tollgate:KEY=VALUE}. */
    public static final String OEM_PREFIX = "tollgate:";
    /** OEM string key carrying the agent name (the rest are {@code LaunchSpec.agentEnv}). */
    public static final String AGENT_NAME_KEY = "AGENT_NAME";
    /** Placeholders a domain XML template may use. */
    public static final Set<String> PLACEHOLDERS = Set.of("name", "disk", "memoryMib", "vcpus", "network", "mac");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z0-9_]+)}}");

    private DomainXml() {
    }

    /** What the driver's metadata element says: the fingerprint, and the overlay volume ("pool/volume") if any. */
    public record Owned(Fingerprint fingerprint, String overlay) {
    }

    /** Placeholders in the template that are not among {@link #PLACEHOLDERS}. */
    public static Set<String> unknownPlaceholders(String template) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = PLACEHOLDER.matcher(template);
        while (m.find()) {
            if (!PLACEHOLDERS.contains(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    public static boolean uses(String template, String placeholder) {
        return template.contains("{{" + placeholder + "}}");
    }

    /** The template with each {@code {{key}}} replaced by its value, XML-escaped (for text and attributes). */
    public static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(v == null ? m.group() : escape(v)));
        }
        m.appendTail(out);
        return out.toString();
    }

    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * The domain XML with the driver's parts added: the fingerprint element in {@code <metadata>} and,
     * when {@code env} is not null, a {@code <sysinfo type='smbios'>} with one OEM string per entry and
     * {@code <os><smbios mode='sysinfo'/>} so that the guest sees them. Earlier parts of the driver's
     * (a reused domain) are replaced.
     */
    public static String withAgent(String domainXml, Owned owned, Map<String, String> env) {
        Document doc = parse(domainXml);
        Element root = domainRoot(doc);
        strip(root);
        Element metadata = child(root, "metadata");
        if (metadata == null) {
            metadata = doc.createElement("metadata");
            root.appendChild(metadata);
        }
        Element fp = doc.createElementNS(NS, "tollgate:agent");
        Fingerprint f = owned.fingerprint();
        fp.setAttribute("controller", f.controllerId());
        fp.setAttribute("cloud", f.cloud());
        fp.setAttribute("template", f.template());
        fp.setAttribute("agent", f.agentName());
        fp.setAttribute("created-at", f.createdAt().toString());
        if (owned.overlay() != null) {
            fp.setAttribute("overlay", owned.overlay());
        }
        metadata.appendChild(fp);
        if (env != null) {
            Element sysinfo = null;
            for (Element s : children(root, "sysinfo")) {
                if ("smbios".equals(s.getAttribute("type"))) {
                    sysinfo = s;
                }
            }
            if (sysinfo == null) {
                sysinfo = doc.createElement("sysinfo");
                sysinfo.setAttribute("type", "smbios");
                root.appendChild(sysinfo);
            }
            Element oem = child(sysinfo, "oemStrings");
            if (oem == null) {
                oem = doc.createElement("oemStrings");
                sysinfo.appendChild(oem);
            }
            for (Map.Entry<String, String> e : env.entrySet()) {
                Element entry = doc.createElement("entry");
                entry.setTextContent(OEM_PREFIX + e.getKey() + "=" + e.getValue());
                oem.appendChild(entry);
            }
            Element os = child(root, "os");
            if (os == null) {
                os = doc.createElement("os");
                root.appendChild(os);
            }
            if (child(os, "smbios") == null) {
                Element smbios = doc.createElement("smbios");
                smbios.setAttribute("mode", "sysinfo");
                os.appendChild(smbios);
            }
        }
        return serialize(doc);
    }

    /** The domain XML without the driver's parts (fingerprint, its OEM strings): a reused domain released. */
    public static String withoutAgent(String domainXml) {
        Document doc = parse(domainXml);
        strip(domainRoot(doc));
        return serialize(doc);
    }

    private static void strip(Element root) {
        for (Element md : children(root, "metadata")) {
            for (Element e : children(md, null)) {
                if (NS.equals(e.getNamespaceURI())) {
                    md.removeChild(e);
                }
            }
        }
        for (Element s : children(root, "sysinfo")) {
            for (Element oem : children(s, "oemStrings")) {
                for (Element entry : children(oem, "entry")) {
                    if (entry.getTextContent().startsWith(OEM_PREFIX)) {
                        oem.removeChild(entry);
                    }
                }
                if (children(oem, null).isEmpty()) {
                    s.removeChild(oem);
                }
            }
        }
    }

    /** The driver's element as {@code virDomainGetMetadata} returns it, read back; null if it is not a whole one. */
    public static Owned readOwned(String element) {
        if (element == null || element.isBlank()) {
            return null;
        }
        try {
            Element e = parse(element).getDocumentElement();
            String at = attr(e, "created-at");
            String c = attr(e, "controller"), cl = attr(e, "cloud"), t = attr(e, "template"), a = attr(e, "agent");
            if (c == null || cl == null || t == null || a == null || at == null) {
                return null;
            }
            return new Owned(new Fingerprint(c, cl, t, a, Instant.parse(at)), attr(e, "overlay"));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The agent environment the domain XML carries as OEM strings (for checks and tests). */
    public static Map<String, String> oemEnv(String domainXml) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        Element root = domainRoot(parse(domainXml));
        for (Element s : children(root, "sysinfo")) {
            for (Element oem : children(s, "oemStrings")) {
                for (Element entry : children(oem, "entry")) {
                    String text = entry.getTextContent();
                    int eq = text.indexOf('=');
                    if (text.startsWith(OEM_PREFIX) && eq > 0) {
                        out.put(text.substring(OEM_PREFIX.length(), eq), text.substring(eq + 1));
                    }
                }
            }
        }
        return out;
    }

    /** The source files of the domain's disks. */
    public static List<String> diskFiles(String domainXml) {
        List<String> out = new ArrayList<>();
        Element devices = child(domainRoot(parse(domainXml)), "devices");
        if (devices != null) {
            for (Element disk : children(devices, "disk")) {
                Element source = child(disk, "source");
                if (source != null && !source.getAttribute("file").isEmpty()) {
                    out.add(source.getAttribute("file"));
                }
            }
        }
        return out;
    }

    /** Volume XML for a qcow2 overlay of {@code basePath}: a fresh copy-on-write disk per agent. */
    public static String overlayVolume(String name, long capacityBytes, String basePath) {
        return "<volume type='file'><name>" + escape(name) + "</name>"
                + "<capacity unit='bytes'>" + capacityBytes + "</capacity>"
                + "<target><format type='qcow2'/></target>"
                + "<backingStore><path>" + escape(basePath) + "</path><format type='qcow2'/></backingStore>"
                + "</volume>";
    }

    /** The backing file of a volume, or null. */
    public static String backingPath(String volumeXml) {
        try {
            Element b = child(parse(volumeXml).getDocumentElement(), "backingStore");
            Element p = b == null ? null : child(b, "path");
            return p == null ? null : p.getTextContent().trim();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** When the volume's file was made, from its {@code <timestamps>} (birth, else change time), or null. */
    public static Instant volumeCreated(String volumeXml) {
        try {
            Element target = child(parse(volumeXml).getDocumentElement(), "target");
            Element ts = target == null ? null : child(target, "timestamps");
            if (ts == null) {
                return null;
            }
            for (String which : List.of("btime", "ctime")) {
                Element t = child(ts, which);
                if (t != null) {
                    String s = t.getTextContent().trim();
                    int dot = s.indexOf('.');
                    long sec = Long.parseLong(dot < 0 ? s : s.substring(0, dot));
                    long nanos = dot < 0 ? 0 : Long.parseLong((s.substring(dot + 1) + "000000000").substring(0, 9));
                    return Instant.ofEpochSecond(sec, nanos);
                }
            }
            return null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ DOM

    static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null); // no "[Fatal Error]" lines on stderr: the exception says it
            return b.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        } catch (SAXException | java.io.IOException e) {
            throw new IllegalArgumentException("not well-formed XML: " + e.getMessage(), e);
        }
    }

    private static Element domainRoot(Document doc) {
        Element root = doc.getDocumentElement();
        if (!"domain".equals(root.getLocalName()) || root.getNamespaceURI() != null) {
            throw new IllegalArgumentException("the root element must be <domain>, got <" + root.getTagName() + ">");
        }
        return root;
    }

    static String serialize(Document doc) {
        try {
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            StringWriter w = new StringWriter();
            t.transform(new DOMSource(doc), new StreamResult(w));
            return w.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String attr(Element e, String name) {
        return e.hasAttribute(name) ? e.getAttribute(name) : null;
    }

    private static Element child(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    /** Element children, all or those with the (unqualified) name. */
    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            Node n = nl.item(i);
            if (n instanceof Element e && (name == null || (name.equals(e.getLocalName()) && e.getNamespaceURI() == null))) {
                out.add(e);
            }
        }
        return out;
    }
}
