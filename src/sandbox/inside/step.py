# The install step container's launcher (run with `python3 -I`). The container has no
# network at all (NetworkMode none): the index's host name resolves to 127.0.0.1, where
# this relays each connection to the forwarder's unix socket, the step's only way out.
# Then it runs the step's program (argv[1], Python source) in this interpreter with
# argv[2] as its argument; the relay thread stays, whatever uid the program drops to.
import json, os, select, socket, sys, threading

step = json.loads(os.environ.pop("RUBRICA_STEP"))
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", step["port"]))
listener.listen(32)


def pipe(a, b):
    try:
        while True:
            ready, _, _ = select.select([a, b], [], [], 300)
            if not ready:
                return
            for s in ready:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        pass
    finally:
        a.close()
        b.close()


def serve():
    while True:
        client, _ = listener.accept()
        out = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            out.connect(step["socket"])
        except OSError:
            client.close()
            out.close()
            continue
        threading.Thread(target=pipe, args=(client, out), daemon=True).start()


threading.Thread(target=serve, daemon=True).start()
source, sys.argv = sys.argv[1], [sys.argv[0]] + sys.argv[2:]
exec(compile(source, "<step>", "exec"), {"__name__": "__main__"})
