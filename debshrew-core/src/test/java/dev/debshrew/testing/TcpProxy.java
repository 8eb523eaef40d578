package dev.debshrew.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP forwarder in front of a server, which a test can take down (every connection is
 * closed and new ones are refused, exactly like a node that went away) and bring back on the same
 * port.
 */
public final class TcpProxy implements AutoCloseable {

    private volatile int targetPort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private ServerSocket server;
    private int port;

    public TcpProxy(int targetPort) {
        this.targetPort = targetPort;
    }

    /** Listens on {@code port} (0: a free one the first time); see {@link #port()}. */
    public synchronized TcpProxy start(int listenPort) throws IOException {
        if (server != null) {
            throw new IllegalStateException("proxy already listening on " + port);
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 50);
        server = s;
        port = s.getLocalPort();
        Thread acceptor = new Thread(() -> acceptLoop(s), "tcp-proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    /** Starts again on the port it had. */
    public TcpProxy restart() throws IOException {
        return start(port);
    }

    /** The listening port. */
    public synchronized int port() {
        return port;
    }

    /** {@code http://127.0.0.1:PORT/}. */
    public String url() {
        return "http://127.0.0.1:" + port() + "/";
    }

    /**
     * Forwards new connections to {@code port} from now on and closes every open one: the same
     * address now leads to another server (a node replaced behind its address).
     */
    public void retarget(int port) {
        targetPort = port;
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    /** Stops listening and closes every open connection: clients now get "connection refused". */
    public synchronized void stop() {
        if (server != null) {
            closeQuietly(server);
            server = null;
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket upstream;
            try {
                upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            } catch (IOException e) {
                closeQuietly(client);
                continue;
            }
            open.add(client);
            open.add(upstream);
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // either side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }
}
