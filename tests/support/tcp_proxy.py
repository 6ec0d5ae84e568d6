"""A loopback TCP proxy that a test can cut and restore, to take "the broker" away for real."""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; ``cut()`` drops every connection and refuses."""

    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5672) -> None:
        self._target = (target_host, target_port)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._up = True
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                self._listener.close()
                return
            if not self._up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            link = _Link(client, upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=link.pipe, args=(source, sink), daemon=True).start()

    def cut(self) -> None:
        """The broker "goes down": existing connections die, new ones are refused."""
        self._up = False
        # Only shut the sockets down: the pipe threads reading them close them, since closing
        # a socket another green thread is reading confuses eventlet's hub.
        with self._lock:
            for end in self._open:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
            self._open.clear()

    def restore(self) -> None:
        self._up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            self._listener.close()

    def uri(self, vhost: str) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/{vhost}"


class _Link:
    """One proxied connection: two pipes, one per direction, over the same two sockets.

    A socket is closed only once neither pipe can be waiting on it. Closing a socket that
    another green thread is parked on (reading, or writing into a full buffer) leaves that
    thread's listener in eventlet's hub for ever: the closed descriptor's number is then reused
    by the next socket the process opens, and if that one is not a green socket (libpq's, under
    psycogreen) its first read fails with "Second simultaneous read on fileno N". So a pipe
    that ends only shuts both sockets down, which wakes the other pipe with an end of file,
    and the second pipe to end closes them.
    """

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self._ends = (client, upstream)
        self._lock = threading.Lock()
        self._pipes_running = 2

    def pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except (OSError, EOFError):  # eventlet reports a shut-down socket as EOFError
            pass
        finally:
            self._finish()

    def _finish(self) -> None:
        for end in self._ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        with self._lock:
            self._pipes_running -= 1
            last = self._pipes_running == 0
        if last:
            for end in self._ends:
                with contextlib.suppress(OSError):
                    end.close()
