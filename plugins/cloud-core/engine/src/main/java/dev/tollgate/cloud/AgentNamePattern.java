package dev.tollgate.cloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a template names its agents, e.g. the seeds' {@code <where>/<os>/<tag>/<n>} written as
 * {@code aws/fedora-20/zfs-head/{n}}. Placeholders are in braces (not {@code ${..}}, which JCasC
 * substitutes itself when it reads the configuration):
 * <ul>
 *   <li>{@code {cloud}}: the cloud's name;</li>
 *   <li>{@code {template}}: the template's name;</li>
 *   <li>{@code {n}}: the smallest number from 0 that gives a name no record of the cloud holds
 *       (ended records are kept for the cloud's record retention, so a number comes back after it);</li>
 *   <li>{@code {id}}: eight random letters and digits.</li>
 * </ul>
 * Every other character is kept, except that {@code /} becomes {@code -}: controllers such as
 * Jenkins refuse it in a node's name. A pattern holds {@code {n}} or {@code {id}}, so that two agents
 * of a template never get one name. Immutable.
 */
public final class AgentNamePattern {
    /** The engine's own naming: {@code <cloud>-<template>-<8 random characters>}. */
    public static final String DEFAULT = "{cloud}-{template}-{id}";
    /** Placeholders a pattern may use. */
    public static final Set<String> PLACEHOLDERS = Set.of("cloud", "template", "n", "id");
    /** Longest pattern, and longest name once filled (EC2 tag values hold 256, Jenkins' URLs stay readable). */
    public static final int MAX_LENGTH = 100;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
    /** Characters outside placeholders: what a node name and a fingerprint tag both accept, and '/'. */
    private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._/-]*");
    private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private AgentNamePattern() {
    }

    /**
     * A cloud's name as agent names and fingerprints carry it: each run of '/', '\' and white space
     * becomes '-' (Jenkins allows them in a cloud's name, not in a node's).
     */
    public static String nodeSafe(String name) {
        return name == null ? null : name.trim().replaceAll("[/\\\\\\s]+", "-");
    }

    /**
     * Every problem of a pattern, each naming {@code namePattern}; empty when it is good. A null
     * pattern is good: it stands for {@link #DEFAULT}.
     */
    public static List<String> problems(String pattern) {
        List<String> p = new ArrayList<>();
        if (pattern == null) {
            return p;
        }
        if (pattern.isBlank()) {
            p.add("namePattern is empty (leave it out for " + DEFAULT + ")");
            return p;
        }
        if (pattern.length() > MAX_LENGTH) {
            p.add("namePattern is longer than " + MAX_LENGTH + " characters");
        }
        Matcher m = PLACEHOLDER.matcher(pattern);
        boolean unique = false;
        int last = 0;
        StringBuilder literal = new StringBuilder();
        while (m.find()) {
            literal.append(pattern, last, m.start());
            last = m.end();
            String name = m.group(1);
            if (!PLACEHOLDERS.contains(name)) {
                p.add("namePattern has an unknown placeholder {" + name + "} (known: {cloud}, {template}, {n}, {id})");
            }
            unique |= name.equals("n") || name.equals("id");
        }
        literal.append(pattern.substring(last));
        if (!LITERAL.matcher(literal).matches()) {
            p.add("namePattern may hold only letters, digits, '.', '_', '-', '/' and placeholders in braces, got '"
                    + pattern + "'");
        }
        if (!unique) {
            p.add("namePattern needs {n} or {id}, so that two agents of the template never get one name");
        }
        char first = pattern.charAt(0);
        if (!(Character.isLetterOrDigit(first) || first == '{')) {
            p.add("namePattern must start with a letter, a digit or a placeholder");
        }
        return p;
    }

    /**
     * The first name the pattern gives that {@code taken} does not hold. {@code {n}} counts up from
     * 0; {@code {id}} draws again. Call only with a pattern without {@link #problems}.
     *
     * @param taken    names already held (the cloud's records)
     * @param randomId draws the eight characters of {@code {id}}
     */
    public static String name(String pattern, String cloud, String template, Set<String> taken,
                              Supplier<String> randomId) {
        String p = pattern == null ? DEFAULT : pattern;
        for (int n = 0; ; n++) {
            final int number = n;
            String name = fill(p, cloud, template, i -> Integer.toString(number), randomId);
            if (!taken.contains(name)) {
                return name;
            }
        }
    }

    /** Eight random characters from {@code random}. */
    public static String randomId(IntFunction<Integer> random) {
        StringBuilder sb = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            sb.append(ALPHABET.charAt(random.apply(ALPHABET.length())));
        }
        return sb.toString();
    }

    private static String fill(String pattern, String cloud, String template, IntFunction<String> number,
                               Supplier<String> randomId) {
        Matcher m = PLACEHOLDER.matcher(pattern);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = switch (m.group(1)) {
                case "cloud" -> cloud;
                case "template" -> template;
                case "n" -> number.apply(0);
                case "id" -> randomId.get();
                default -> throw new IllegalArgumentException("unknown placeholder {" + m.group(1) + "}");
            };
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString().replace('/', '-');
    }
}
