"""A TCP relay that can pause: a database reached but silent, as a dropping firewall or a
stuck proxy makes it. Used by tests/test_healthz.py and the fault tests.

While paused it keeps accepting connections and reading what clients send (so their kernel
sees every byte acknowledged, and TCP timeouts never fire), and relays nothing either way.
"""

import socket
import threading


class PausingProxy:
    def __init__(self, host, port):
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.relaying = threading.Event()
        self.relaying.set()
        self.lock = threading.Lock()
        self.sockets = []
        self.closed = False

    def __enter__(self):
        threading.Thread(target=self._accept, name="proxy-accept", daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.close()

    def pause(self):
        self.relaying.clear()

    def resume(self):
        self.relaying.set()

    def close(self):
        self.closed = True
        self.relaying.set()
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in [self.listener, *sockets]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self):
        while not self.closed:
            try:
                client, _address = self.listener.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, target), name="proxy-pump", daemon=True
                ).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                self.relaying.wait()
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
