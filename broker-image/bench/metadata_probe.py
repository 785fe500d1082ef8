#!/usr/bin/env python3
"""Readiness probe for bench/run.sh: exits 0 once a Kafka Metadata (v0) request to HOST:PORT returns >= 1 broker.

usage: metadata_probe.py HOST PORT   (one attempt, 1 s socket timeout; run.sh loops it with a deadline)
"""
import socket
import struct
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    client = b"strand-bench-probe"
    # request header v1: api_key=3 (Metadata), api_version=0, correlation_id, client_id; body: topics = [] (all)
    body = struct.pack(">hhih", 3, 0, 4242, len(client)) + client + struct.pack(">i", 0)
    with socket.create_connection((host, port), timeout=1.0) as s:
        s.settimeout(1.0)
        s.sendall(struct.pack(">i", len(body)) + body)
        header = recv_exactly(s, 4)
        (size,) = struct.unpack(">i", header)
        payload = recv_exactly(s, size)
    correlation, brokers = struct.unpack(">ii", payload[:8])
    if correlation != 4242 or brokers < 1:
        sys.exit(1)


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


if __name__ == "__main__":
    try:
        main()
    except (OSError, struct.error, ValueError):
        sys.exit(1)
