package dev.tollgate.recycle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Jenkins label expression such as {@code devstack_slave}, {@code linux && !arm} or
 * {@code "my label" || (a -> b)}, read exactly as Jenkins reads the label field of a job (core's
 * {@code LabelExpressionLexer.g4} and {@code LabelExpressionParser.g4}, used by
 * {@code Label.parseExpression}), so that a rule matches the agents Jenkins would run that label
 * on, and a text Jenkins refuses is refused here too, before Jenkins is involved.
 *
 * <p>The grammar, loosest binding first: {@code <->} (may repeat), {@code ->} (at most once per
 * level: {@code a -> b -> c} is an error, as in Jenkins), {@code ||}, {@code &&}, then an optional
 * single {@code !} before a label or a parenthesised expression ({@code !!a} is an error, as in
 * Jenkins). A label is a run of characters other than space, tab, {@code & | ! < > ( ) " '} and a
 * {@code -} that starts {@code ->}; or a double-quoted text with the escapes {@code \b \t \n \f \r
 * \" \' \\}. Spaces and tabs between tokens are ignored. A label matches an agent that carries it
 * (in Jenkins: one of the node's assigned label atoms, its own name included).
 *
 * <p>Immutable and thread-safe.
 */
public final class LabelExpression {
    private final String text;
    private final Node root;
    private final Set<String> atoms;

    private LabelExpression(String text, Node root, Set<String> atoms) {
        this.text = text;
        this.root = root;
        this.atoms = atoms;
    }

    /**
     * @throws IllegalArgumentException with one sentence saying what is wrong and where
     */
    public static LabelExpression parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("label expression is empty");
        }
        List<Token> tokens = new Lexer(text).tokens();
        if (tokens.get(0).kind() == Kind.END) { // only spaces and tabs: Jenkins' lexer skips those alone
            throw new IllegalArgumentException("label expression is empty");
        }
        Parser p = new Parser(text, tokens);
        Node root = p.expression();
        Set<String> atoms = new TreeSet<>();
        root.collect(atoms);
        return new LabelExpression(text, root, Collections.unmodifiableSet(atoms));
    }

    /** Whether an agent carrying these labels matches (for Jenkins: its assigned label atoms, name included). */
    public boolean matches(Set<String> labels) {
        return root.eval(labels);
    }

    /** The expression as written. */
    public String text() {
        return text;
    }

    /** The labels the expression names. */
    public Set<String> atoms() {
        return atoms;
    }

    /** Just one label, no operators: the expression matches exactly the agents that carry it. */
    public boolean isSingleLabel() {
        return root instanceof Atom;
    }

    @Override
    public String toString() {
        return text;
    }

    // ------------------------------------------------------------------ tokens

    private enum Kind {
        AND("&&"), OR("||"), NOT("!"), IMPLIES("->"), IFF("<->"), LPAREN("("), RPAREN(")"), ATOM("a label"), END("the end");

        final String shown;

        Kind(String shown) {
            this.shown = shown;
        }
    }

    /** @param at index of the token's first character in the text */
    private record Token(Kind kind, String value, int at) {
        String shown() {
            return kind == Kind.ATOM ? "`" + value + "`" : kind == Kind.END ? "the end" : "`" + kind.shown + "`";
        }
    }

    private static final class Lexer {
        private final String s;
        private int i;

        Lexer(String s) {
            this.s = s;
        }

        List<Token> tokens() {
            List<Token> out = new ArrayList<>();
            while (true) {
                while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                    i++;
                }
                if (i >= s.length()) {
                    out.add(new Token(Kind.END, "", i));
                    return out;
                }
                out.add(next());
            }
        }

        private Token next() {
            int start = i;
            char c = s.charAt(i);
            switch (c) {
                case '&' -> {
                    return pair('&', Kind.AND, "`&` is not an operator; use `&&`");
                }
                case '|' -> {
                    return pair('|', Kind.OR, "`|` is not an operator; use `||`");
                }
                case '!' -> {
                    i++;
                    return new Token(Kind.NOT, "!", start);
                }
                case '(' -> {
                    i++;
                    return new Token(Kind.LPAREN, "(", start);
                }
                case ')' -> {
                    i++;
                    return new Token(Kind.RPAREN, ")", start);
                }
                case '<' -> {
                    if (s.startsWith("<->", i)) {
                        i += 3;
                        return new Token(Kind.IFF, "<->", start);
                    }
                    throw error(start, "`<` is not an operator; use `<->`, or quote a label that contains it");
                }
                case '>' -> throw error(start, "`>` is not an operator; use `->`, or quote a label that contains it");
                case '\'' -> throw error(start, "`'` cannot start or be part of a label; quote labels with double quotes");
                case '"' -> {
                    return quoted();
                }
                case '-' -> {
                    if (s.startsWith("->", i)) {
                        i += 2;
                        return new Token(Kind.IMPLIES, "->", start);
                    }
                    return atom();
                }
                default -> {
                    return atom();
                }
            }
        }

        private Token pair(char c, Kind kind, String message) {
            int start = i;
            if (i + 1 < s.length() && s.charAt(i + 1) == c) {
                i += 2;
                return new Token(kind, kind.shown, start);
            }
            throw error(start, message);
        }

        /** Jenkins' ATOM: any character but the operators' and quotes, and a `-` not followed by `>`. */
        private Token atom() {
            int start = i;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '-') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '>') {
                        break;
                    }
                } else if ("&|!<>() \t\"'".indexOf(c) >= 0) {
                    break;
                }
                i++;
            }
            return new Token(Kind.ATOM, s.substring(start, i), start);
        }

        /** Jenkins' STRINGLITERAL, unquoted as {@code QuotedStringTokenizer.unquote} does. */
        private Token quoted() {
            int start = i;
            i++; // the opening quote
            StringBuilder b = new StringBuilder();
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '"') {
                    i++;
                    return new Token(Kind.ATOM, b.toString(), start);
                }
                if (c == '\r' || c == '\n') {
                    throw error(i, "a quoted label cannot span lines");
                }
                if (c == '\\') {
                    if (i + 1 >= s.length()) {
                        break;
                    }
                    char e = s.charAt(i + 1);
                    switch (e) {
                        case 'b' -> b.append('\b');
                        case 't' -> b.append('\t');
                        case 'n' -> b.append('\n');
                        case 'f' -> b.append('\f');
                        case 'r' -> b.append('\r');
                        case '"', '\'', '\\' -> b.append(e);
                        default -> throw error(i, "`\\" + e + "` is not an escape in a quoted label (use \\\" \\\\ \\' \\b \\t \\n \\f \\r)");
                    }
                    i += 2;
                    continue;
                }
                b.append(c);
                i++;
            }
            throw error(start, "the quoted label is not closed with `\"`");
        }

        private IllegalArgumentException error(int at, String message) {
            return LabelExpression.error(s, at, message);
        }
    }

    private static IllegalArgumentException error(String text, int at, String message) {
        return new IllegalArgumentException("invalid label expression `" + text + "`: " + message
                + " (at character " + (at + 1) + ")");
    }

    // ------------------------------------------------------------------ parser

    private static final class Parser {
        private final String text;
        private final List<Token> tokens;
        private int p;

        Parser(String text, List<Token> tokens) {
            this.text = text;
            this.tokens = tokens;
        }

        Node expression() {
            Node n = iff();
            Token t = peek();
            if (t.kind() != Kind.END) {
                if (t.kind() == Kind.IMPLIES) {
                    throw error(t, "`->` cannot follow another `->` at the same level; add parentheses, e.g. (a -> b) -> c");
                }
                if (t.kind() == Kind.RPAREN) {
                    throw error(t, "`)` closes no `(`");
                }
                if (t.kind() == Kind.NOT) {
                    throw error(t, "`!` after a label or `)` joins nothing; add `&&` or `||` before it");
                }
                throw error(t, t.shown() + " follows a complete expression; join them with `&&` or `||`");
            }
            return n;
        }

        private Node iff() {
            Node left = implies();
            while (peek().kind() == Kind.IFF) {
                p++;
                left = new Binary(Kind.IFF, left, implies());
            }
            return left;
        }

        private Node implies() {
            Node left = or();
            if (peek().kind() == Kind.IMPLIES) {
                p++;
                left = new Binary(Kind.IMPLIES, left, or());
            }
            return left;
        }

        private Node or() {
            Node left = and();
            while (peek().kind() == Kind.OR) {
                p++;
                left = new Binary(Kind.OR, left, and());
            }
            return left;
        }

        private Node and() {
            Node left = not();
            while (peek().kind() == Kind.AND) {
                p++;
                left = new Binary(Kind.AND, left, not());
            }
            return left;
        }

        private Node not() {
            if (peek().kind() == Kind.NOT) {
                p++;
                if (peek().kind() == Kind.NOT) {
                    throw error(peek(), "`!` cannot directly follow `!`; write !(!a), or leave both out");
                }
                return new Not(primary());
            }
            return primary();
        }

        private Node primary() {
            Token t = peek();
            switch (t.kind()) {
                case LPAREN -> {
                    p++;
                    Node inner = iff();
                    Token close = peek();
                    if (close.kind() != Kind.RPAREN) {
                        if (close.kind() == Kind.IMPLIES) {
                            throw error(close, "`->` cannot follow another `->` at the same level; add parentheses, e.g. (a -> b) -> c");
                        }
                        throw error(close, "expected `)` to close the `(` at character " + (t.at() + 1) + ", got "
                                + close.shown());
                    }
                    p++;
                    return inner;
                }
                case ATOM -> {
                    p++;
                    return new Atom(t.value());
                }
                case END -> throw error(t, "a label is missing at the end");
                default -> throw error(t, "expected a label or `(`, got " + t.shown());
            }
        }

        private Token peek() {
            return tokens.get(p);
        }

        private IllegalArgumentException error(Token at, String message) {
            return LabelExpression.error(text, at.at(), message);
        }
    }

    // ------------------------------------------------------------------ tree

    private interface Node {
        boolean eval(Set<String> labels);

        void collect(Set<String> out);
    }

    private record Atom(String name) implements Node {
        @Override
        public boolean eval(Set<String> labels) {
            return labels.contains(name);
        }

        @Override
        public void collect(Set<String> out) {
            out.add(name);
        }
    }

    private record Not(Node operand) implements Node {
        @Override
        public boolean eval(Set<String> labels) {
            return !operand.eval(labels);
        }

        @Override
        public void collect(Set<String> out) {
            operand.collect(out);
        }
    }

    private record Binary(Kind op, Node left, Node right) implements Node {
        @Override
        public boolean eval(Set<String> labels) {
            boolean l = left.eval(labels);
            return switch (op) {
                case AND -> l && right.eval(labels);
                case OR -> l || right.eval(labels);
                case IMPLIES -> !l || right.eval(labels);
                case IFF -> l == right.eval(labels);
                default -> throw new IllegalStateException(op.name());
            };
        }

        @Override
        public void collect(Set<String> out) {
            left.collect(out);
            right.collect(out);
        }
    }
}
