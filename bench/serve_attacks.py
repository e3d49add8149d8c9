#!/usr/bin/env python3
"""`detour serve` under attack, measured: health-check latency while
- 16 connections declare a 1 MB body and trickle it one byte a second (slow body),
- 4 connections send a 200 kB header line by line (huge header),
- one 1 MB text is POSTed to /api/check every second (each past its time limit),
all at once, on loopback. Prints p50/p99/max of /api/health and what each attack got back.

Usage: python3 bench/serve_attacks.py PATH/TO/detour [SECONDS] [--time-limit S]
Standard library only. The server and the attackers share this machine's cores.
"""
import socket
import statistics
import subprocess
import sys
import threading
import time

BIN = sys.argv[1]
DURATION = float(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else 30.0
LIMIT = sys.argv[sys.argv.index("--time-limit") + 1] if "--time-limit" in sys.argv else "60"

proc = subprocess.Popen([BIN, "serve", "--addr", "127.0.0.1:0", "--time-limit", LIMIT],
                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
line = proc.stdout.readline()
host, port = line.split("http://")[1].split()[0].split(":")
ADDR = (host, int(port))
stop = time.time() + DURATION
results = {"slow_body": [], "huge_header": [], "big_check": []}


def status_of(sock):
    data = b""
    sock.settimeout(90)
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError as e:
        return f"error {e.__class__.__name__}"
    return data.split(b"\r\n")[0].decode(errors="replace") or "closed"


def slow_body():
    while time.time() < stop:
        s = socket.create_connection(ADDR)
        s.sendall(b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
        try:
            while time.time() < stop:
                s.sendall(b"a")
                time.sleep(1)
        except OSError:
            results["slow_body"].append("closed by server")
        s.close()


def huge_header():
    while time.time() < stop:
        s = socket.create_connection(ADDR)
        try:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
            for _ in range(2000):
                s.sendall(b"X-Pad: " + b"a" * 100 + b"\r\n")
            s.sendall(b"\r\n")
            results["huge_header"].append(status_of(s))
        except OSError as e:
            results["huge_header"].append(f"closed ({e.__class__.__name__})")
        s.close()
        time.sleep(0.5)


def big_check():
    text = ("EU exports to Kyrgyzstan rose to 1.3 billion euros in 2022. " * 17500).encode()
    while time.time() < stop:
        t = time.time()

        def one():
            s = socket.create_connection(ADDR)
            s.sendall(b"POST /api/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                      + str(len(text)).encode() + b"\r\n\r\n" + text)
            results["big_check"].append(status_of(s))
            s.close()
        threading.Thread(target=one, daemon=True).start()
        time.sleep(max(0.0, 1.0 - (time.time() - t)))


lat = []


def health():
    while time.time() < stop:
        t = time.perf_counter()
        s = socket.create_connection(ADDR)
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        st = status_of(s)
        s.close()
        lat.append(((time.perf_counter() - t) * 1000, st))
        time.sleep(0.05)


threads = [threading.Thread(target=slow_body, daemon=True) for _ in range(16)]
threads += [threading.Thread(target=huge_header, daemon=True) for _ in range(4)]
threads += [threading.Thread(target=big_check, daemon=True), threading.Thread(target=health, daemon=True)]
time.sleep(0.5)
for t in threads:
    t.start()
time.sleep(DURATION + 2)
ms = sorted(x[0] for x in lat)
ok = sum(1 for x in lat if " 200" in x[1])
def pct(p):
    return ms[min(len(ms) - 1, int(p / 100 * len(ms)))]
print(f"duration {DURATION:.0f} s; time limit {LIMIT} s")
print(f"/api/health: {len(ms)} requests, {ok} answered 200; latency p50 {pct(50):.1f} ms, "
      f"p99 {pct(99):.1f} ms, max {ms[-1]:.1f} ms")
for k, v in results.items():
    counts = {}
    for x in v:
        counts[x] = counts.get(x, 0) + 1
    print(f"{k}: {counts}")
proc.terminate()
proc.wait(timeout=20)
print(f"server exit after SIGTERM: {proc.returncode}")
