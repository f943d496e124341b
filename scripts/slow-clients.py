#!/usr/bin/env python3
"""Holds many slow HTTP connections against a server on this machine (loopback only).

Each client opens a connection from one of a few source addresses (127.0.0.2, 127.0.0.3, ...;
Linux routes all of 127.0.0.0/8 to lo), sends half a request head and then trickles one more
header byte every --trickle seconds, never finishing it: the slowloris pattern. When the server
cuts it off, the client connects again at once; when the server refuses it (503), the client waits
the Retry-After and tries again. It runs for --duration seconds, then prints one summary line:

  SLOW clients=N sources=S attempts=.. refused=.. cut=.. answered=.. errors=..
       held_max_s=.. held_p50_s=.. cpu_s=..

held_max_s the
longest any connection was held before the server closed it (a header timeout shows here); cut
counts connections the server closed without answering; answered, connections that got anything
but a 503 (none should: the head is never complete); cpu_s, the CPU seconds this script used
(it runs on the server's machine, so they are taken from the server's cores).

Standard library only. Example:
  scripts/slow-clients.py --port 8080 --clients 2000 --sources 10 --duration 60
"""

import argparse
import asyncio
import random
import resource
import socket
import statistics
import sys
import time

HEAD = b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Slow: "


class Tally:
    def __init__(self):
        self.attempts = 0
        self.refused = 0
        self.cut = 0
        self.answered = 0
        self.errors = 0
        self.open = 0
        self.held = []  # seconds each cut connection was held

    def opened(self):
        self.open += 1

    def closed(self):
        self.open -= 1


async def one_connection(host, port, source, trickle, deadline, tally):
    """One connection's life; returns how long to wait before the next one."""
    tally.attempts += 1
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        sock.bind((source, 0))
        loop = asyncio.get_running_loop()
        await asyncio.wait_for(loop.sock_connect(sock, (host, port)), 5)
    except (OSError, asyncio.TimeoutError):
        tally.errors += 1
        sock.close()
        return 0.5
    reader, writer = await asyncio.open_connection(sock=sock)
    started = time.monotonic()
    tally.opened()
    counted_open = True
    try:
        writer.write(HEAD)
        await writer.drain()
        while time.monotonic() < deadline:
            try:
                data = await asyncio.wait_for(reader.read(4096), trickle)
            except asyncio.TimeoutError:
                writer.write(b"a")
                await writer.drain()
                continue
            tally.closed()
            counted_open = False
            if data.startswith(b"HTTP/1.1 503"):
                tally.refused += 1
                return 1.0 + random.random() * 0.5
            if data:
                tally.answered += 1
            else:
                tally.cut += 1
                tally.held.append(time.monotonic() - started)
            return 0
        return 0
    except (ConnectionError, OSError):
        if counted_open:
            tally.closed()
            counted_open = False
        tally.cut += 1
        tally.held.append(time.monotonic() - started)
        return 0
    finally:
        if counted_open:
            tally.closed()
        writer.close()


async def client(host, port, source, trickle, deadline, tally, delay):
    await asyncio.sleep(delay)
    while time.monotonic() < deadline:
        wait = await one_connection(host, port, source, trickle, deadline, tally)
        if wait:
            await asyncio.sleep(wait)


async def report_while_running(tally, deadline, every):
    start = time.monotonic()
    last = start
    while time.monotonic() < deadline:
        await asyncio.sleep(1)
        if time.monotonic() - last < every:
            continue
        last = time.monotonic()
        print(
            f"  slow clients at {time.monotonic() - start:4.0f}s: open {tally.open} (503s not yet read included), "
            f"refused {tally.refused}, cut {tally.cut}",
            file=sys.stderr,
            flush=True,
        )


async def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--clients", type=int, default=2000)
    p.add_argument("--sources", type=int, default=10, help="source addresses 127.0.0.2 onwards")
    p.add_argument("--trickle", type=float, default=1.0, help="seconds between trickled bytes")
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--ramp", type=float, default=2.0, help="seconds over which clients start")
    p.add_argument("--status-every", type=float, default=10)
    a = p.parse_args()
    if not a.host.startswith("127.") or not 1 <= a.sources <= 250:
        sys.exit("loopback targets only, and 1..250 source addresses")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, a.clients + 256) if hard != resource.RLIM_INFINITY else a.clients + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    sources = [f"127.0.0.{2 + i}" for i in range(a.sources)]
    tally = Tally()
    deadline = time.monotonic() + a.duration
    tasks = [
        client(a.host, a.port, sources[i % len(sources)], a.trickle, deadline, tally, a.ramp * i / a.clients)
        for i in range(a.clients)
    ]
    tasks.append(report_while_running(tally, deadline, a.status_every))
    await asyncio.gather(*tasks)
    held = sorted(tally.held)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"SLOW clients={a.clients} sources={a.sources} attempts={tally.attempts} "
        f"refused={tally.refused} cut={tally.cut} "
        f"answered={tally.answered} errors={tally.errors} "
        f"held_max_s={held[-1] if held else 0:.1f} "
        f"held_p50_s={statistics.median(held) if held else 0:.1f} "
        f"cpu_s={cpu.ru_utime + cpu.ru_stime:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    asyncio.run(main())
