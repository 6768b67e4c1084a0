# The install step's only way out (run with `python3 -I`): a unix socket in a volume the
# step's container shares, relayed to the index's host and port and nothing else. It
# reads nothing of what it relays (TLS stays end to end). argv[1] is a JSON request; see
# sandbox/install.ts. It starts as root only to hand the socket's folder (a fresh volume)
# to uid 1000, then drops to that uid; it exits after `lifetimeSeconds`, so a leftover
# ends by itself.
import asyncio, json, os, sys

req = json.loads(sys.argv[1])
os.chown(req["dir"], req["uid"], req["gid"])
os.setgroups([])
os.setgid(req["gid"])
os.setuid(req["uid"])
slots = asyncio.Semaphore(req["maxConnections"])


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except (ConnectionError, OSError):
            pass


async def relay(step_reader, step_writer):
    async with slots:
        try:
            index_reader, index_writer = await asyncio.wait_for(asyncio.open_connection(req["host"], req["port"]), 15)
        except (OSError, asyncio.TimeoutError):
            step_writer.close()
            return
        await asyncio.gather(pipe(step_reader, index_writer), pipe(index_reader, step_writer))


async def main():
    path = os.path.join(req["dir"], "index.sock")
    server = await asyncio.start_unix_server(relay, path)
    os.chmod(path, 0o600)
    print("ready", flush=True)
    async with server:
        await asyncio.sleep(req["lifetimeSeconds"])


asyncio.run(main())
