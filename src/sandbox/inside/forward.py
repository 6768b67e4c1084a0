# The install step's only way out (run with `python3 -I`, as uid 1000): listens on the
# index's port inside the step's internal network, where it answers to the index's host
# name, and relays every connection to that one host and port, nothing else. It reads
# nothing of what it relays (TLS stays end to end). argv[1] is a JSON request; see
# sandbox/install.ts. It exits after `lifetimeSeconds`, so a leftover ends by itself.
import asyncio, json, sys

req = json.loads(sys.argv[1])
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


async def relay(client_reader, client_writer):
    async with slots:
        try:
            index_reader, index_writer = await asyncio.wait_for(asyncio.open_connection(req["host"], req["port"]), 15)
        except (OSError, asyncio.TimeoutError):
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, index_writer), pipe(index_reader, client_writer))


async def main():
    server = await asyncio.start_server(relay, "0.0.0.0", req["listen"])
    async with server:
        await asyncio.sleep(req["lifetimeSeconds"])


asyncio.run(main())
