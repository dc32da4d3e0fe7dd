package dev.tollgate.ec2;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A forward HTTP proxy for tests, as small as it can be: each connection's request head is
 * recorded (the absolute target and the Proxy-Authorization header), rewritten to origin form with
 * {@code Connection: close}, and sent with the rest of the stream to one upstream server, whatever
 * host the target names. One request per connection, so every request is seen. Threads: one
 * acceptor, two per connection; {@link #requests()} is safe from any thread.
 */
final class RecordingProxy implements AutoCloseable {
    record Request(String target, String proxyAuthorization) {}

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    RecordingProxy(URI upstream) throws IOException {
        this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "recording-proxy");
        t.setDaemon(true);
        t.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "recording-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket up = new Socket(upstream.getAddress(), upstream.getPort())) {
            InputStream in = client.getInputStream();
            String[] lines = readHead(in).split("\r\n");
            String[] requestLine = lines[0].split(" ");
            String auth = null;
            StringBuilder head = new StringBuilder();
            head.append(requestLine[0]).append(' ').append(originForm(requestLine[1])).append(' ')
                    .append(requestLine[2]).append("\r\n");
            for (int i = 1; i < lines.length; i++) {
                String name = lines[i].substring(0, Math.max(0, lines[i].indexOf(':'))).trim();
                if (name.equalsIgnoreCase("Proxy-Authorization")) {
                    auth = lines[i].substring(lines[i].indexOf(':') + 1).trim();
                } else if (!name.equalsIgnoreCase("Connection") && !name.equalsIgnoreCase("Proxy-Connection")) {
                    head.append(lines[i]).append("\r\n");
                }
            }
            head.append("Connection: close\r\n\r\n");
            requests.add(new Request(requestLine[1], auth));
            OutputStream upOut = up.getOutputStream();
            upOut.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            upOut.flush();
            Thread body = new Thread(() -> copy(in, upOut), "recording-proxy-body");
            body.setDaemon(true);
            body.start();
            copy(up.getInputStream(), client.getOutputStream());
        } catch (IOException | RuntimeException e) {
            // the client or upstream went away: nothing to record
        }
    }

    private static String originForm(String target) {
        URI u = URI.create(target);
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        return u.getRawQuery() == null ? path : path + "?" + u.getRawQuery();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4 && (c = in.read()) >= 0) {
            b.write(c);
            matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r\n\r\n") ? s.substring(0, s.length() - 4) : s;
    }

    private static void copy(InputStream in, OutputStream out) {
        try {
            in.transferTo(out);
            out.flush();
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
