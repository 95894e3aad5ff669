#!/usr/bin/env python3
"""CPython's side of poolrt's benchmarks: the same workloads as
benches/threads.rs and benches/processes.rs, on multiprocessing.Pool and
concurrent.futures, with the standard library only.

    python3 benches/cpython_pool.py            # all workloads
    python3 benches/cpython_pool.py P1 P6      # some of them
    python3 benches/cpython_pool.py S1 S2 S3 S4 S5 S6 M1  # benches/shared.rs's
    python3 benches/cpython_pool.py --json out.json   # also the raw figures

S1-S4 measure multiprocessing.Queue, Pipe and Lock the way
benches/shared.rs measures poolrt's (100,000 items streamed from a child;
a ping-pong with a child; an uncontended acquire + release). S5 writes
64 MiB into a multiprocessing.shared_memory block that a child holds
open (shm.buf[:] = data) and reads it back into a buffer (memoryview(out)[:] = shm.buf). S6 measures
multiprocessing.connection's Listener and Client: an 8-byte message echoed
by a child, over a Linux abstract Unix socket and over TCP. M1 measures a
multiprocessing.Manager: a dict get, a dict set and a Namespace attribute
read through a proxy, from the manager's owner and from a child.

Each figure is the median of several runs. W is the number of cores this
process may use. T1 submits 100,000 tasks instead of 1,000,000 (CPython
manages ~50k/s, so the full count would take half a minute); the rate is
what compares.
"""

import concurrent.futures as cf
import multiprocessing as mp
import os
import statistics
import sys
import time
from multiprocessing import shared_memory

# Raw figures by workload, for `--json PATH` (benches/report.sh): seconds
# per call, per run or per item as each line printed says, or an efficiency.
FIGURES = {}


def record(key, value):
    FIGURES[key] = value
    return value


W = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def identity(x):
    return x


def square(x):
    return x * x


def noop():
    return None


def sleep_10ms():
    time.sleep(0.010)


def spin(rounds):
    # The same xorshift loop as benches/support/mod.rs, in Python.
    x = 0x9E3779B97F4A7C15
    mask = (1 << 64) - 1
    for _ in range(rounds):
        x ^= (x << 13) & mask
        x ^= x >> 7
        x ^= (x << 17) & mask
    return x


def calibrate(target):
    probe = 20_000
    fastest = min(timed(lambda: spin(probe)) for _ in range(3))
    return int(probe * target / fastest)


def timed(f):
    start = time.perf_counter()
    f()
    return time.perf_counter() - start


def median_of(runs, f):
    return statistics.median(timed(f) for _ in range(runs))


def t1():
    n = 100_000
    with cf.ThreadPoolExecutor(W) as ex:
        def run():
            futures = [ex.submit(noop) for _ in range(n)]
            for f in futures:
                f.result()
        s = median_of(3, run)
    record("T1_seconds_per_task", s / n)
    print(f"T1 ThreadPoolExecutor({W}): {n / s / 1e3:.0f} k tasks/s with futures")


def t2():
    with cf.ThreadPoolExecutor(100) as ex:
        list(ex.map(lambda _: sleep_10ms(), range(200)))  # warm: start 100 threads

        def run():
            futures = [ex.submit(sleep_10ms) for _ in range(1000)]
            for f in futures:
                f.result()
        s = median_of(5, run)
    record("T2_seconds", s)
    print(f"T2 {s * 1e3:.1f} ms for 1,000 x 10 ms sleeps on 100 threads ({s / 0.1:.3f}x the limit)")


def t3():
    rounds = calibrate(0.010)
    serial = median_of(3, lambda: [spin(rounds) for _ in range(64)])
    with cf.ThreadPoolExecutor(W) as ex:
        wall = median_of(3, lambda: [f.result() for f in [ex.submit(spin, rounds) for _ in range(64)]])
    record("T3_efficiency", serial / W / wall)
    print(f"T3 threads (GIL): {wall * 1e3:.0f} ms wall vs {serial * 1e3:.0f} ms serial, efficiency {serial / W / wall:.3f}")


def p1(pool):
    n = 10_000
    s = median_of(3, lambda: [pool.apply(identity, (7,)) for _ in range(n)])
    record("P1_seconds", s / n)
    print(f"P1 {s / n * 1e6:.1f} us per Pool.apply")


def p2(pool):
    s = median_of(5, lambda: pool.map(square, range(1_000_000)))
    record("P2_seconds", s)
    print(f"P2 {1_000_000 / s / 1e6:.2f} M items/s (Pool.map, default chunksize)")


def p3(pool):
    s = median_of(5, lambda: sum(pool.imap_unordered(square, range(1_000_000), chunksize=1000)))
    record("P3_seconds", s)
    print(f"P3 {1_000_000 / s / 1e6:.2f} M items/s (imap_unordered, chunksize 1000)")


def p4(pool):
    rounds = calibrate(0.010)
    serial = median_of(3, lambda: [spin(rounds) for _ in range(64)])

    def run():
        results = [pool.apply_async(spin, (rounds,)) for _ in range(64)]
        for r in results:
            r.get()
    wall = median_of(3, run)
    record("P4_efficiency", serial / W / wall)
    print(f"P4 processes: {wall * 1e3:.0f} ms wall vs {serial * 1e3:.0f} ms serial, efficiency {serial / W / wall:.3f}")


def p5():
    def run():
        with mp.Pool(W) as pool:
            pool.apply(identity, (1,))
            pool.close()
            pool.join()
    s = median_of(10, run)
    record("P5_seconds", s)
    print(f"P5 {s * 1e3:.1f} ms to start {W} processes, get one result and shut down")


def p6(pool):
    payload = bytes(16 << 20)
    s = median_of(10, lambda: pool.apply(len, (payload,)))
    record("P6_seconds", s)
    print(f"P6 {16 / s:.0f} MiB/s of argument transfer (16 MiB per apply)")


def executor_round_trip():
    n = 5_000
    with cf.ProcessPoolExecutor(W) as ex:
        ex.submit(identity, 1).result()
        s = median_of(3, lambda: [ex.submit(identity, 7).result() for _ in range(n)])
    record("executor_seconds", s / n)
    print(f"ProcessPoolExecutor {s / n * 1e6:.1f} us per submit().result()")


S_ITEMS = 100_000


def stream_queue(q, n):
    for i in range(n):
        q.put(i)


def stream_pipe(conn, n):
    for i in range(n):
        conn.send(i)


def echo(inbox, outbox):
    while True:
        x = inbox.get()
        if x is None:
            return
        outbox.put(x)


def stream(label, channel, producer, receive):
    """Times the receiving side of S_ITEMS streamed from a child process."""

    def run():
        there, here = channel()
        p = mp.Process(target=producer, args=(there, S_ITEMS))
        p.start()
        start = time.perf_counter()
        for _ in range(S_ITEMS):
            receive(here)
        took = time.perf_counter() - start
        p.join()
        return took

    took = statistics.median(run() for _ in range(5))
    record(label.split()[0] + "_seconds_per_item", took / S_ITEMS)
    print(f"{label} stream: {S_ITEMS / took / 1e6:.3f} M items/s")


def s1():
    def channel():
        q = mp.Queue()
        return q, q

    stream("S1 multiprocessing.Queue", channel, stream_queue, lambda q: q.get())


def s2():
    def channel():
        here, there = mp.Pipe(duplex=False)
        return there, here

    stream("S2 multiprocessing.Pipe", channel, stream_pipe, lambda c: c.recv())


def s3():
    inbox, outbox = mp.Queue(), mp.Queue()
    p = mp.Process(target=echo, args=(inbox, outbox))
    p.start()
    n = 10_000

    def run():
        start = time.perf_counter()
        for _ in range(n):
            inbox.put(7)
            outbox.get()
        return (time.perf_counter() - start) / n

    took = statistics.median(run() for _ in range(5))
    inbox.put(None)
    p.join()
    record("S3_seconds", took)
    print(f"S3 multiprocessing.Queue ping-pong: {took * 1e6:.1f} us per round trip")


def s4():
    lock = mp.Lock()
    n = 1_000_000

    def run():
        start = time.perf_counter()
        for _ in range(n):
            with lock:
                pass
        return (time.perf_counter() - start) / n

    took = statistics.median(run() for _ in range(5))
    record("S4_seconds", took)
    print(f"S4 multiprocessing.Lock: {took * 1e9:.0f} ns per acquire + release")


def hold_open(name, done):
    shm = shared_memory.SharedMemory(name)
    done.wait(600)
    shm.close()


def s5():
    block = 64 << 20
    shm = shared_memory.SharedMemory(create=True, size=block)
    done = mp.Event()
    p = mp.Process(target=hold_open, args=(shm.name, done))
    p.start()
    data = bytes(i % 256 for i in range(256)) * (block // 256)

    def write():
        shm.buf[:] = data

    out = bytearray(block)
    view = memoryview(out)

    def read():
        view[:] = shm.buf

    wrote = median_of(10, write)
    read_back = median_of(10, read)
    assert out == data
    done.set()
    p.join()
    shm.close()
    shm.unlink()
    mib = block >> 20
    record("S5_write_seconds", wrote)
    record("S5_read_seconds", read_back)
    print(
        f"S5 multiprocessing.shared_memory 64 MiB: write {mib / wrote:.0f} MiB/s, "
        f"read {mib / read_back:.0f} MiB/s"
    )


def echo_client(address, authkey):
    from multiprocessing.connection import Client

    with Client(address, authkey=authkey) as conn:
        while True:
            try:
                message = conn.recv_bytes()
            except EOFError:
                return
            conn.send_bytes(message)


def s6():
    from multiprocessing.connection import Listener

    n = 10_000
    message = (7).to_bytes(8, "little")
    for label, address in (
        ("Unix socket", "\0poolrt-bench-s6-py-%d" % os.getpid()),
        ("TCP", ("127.0.0.1", 0)),
    ):
        with Listener(address, authkey=b"bench") as listener:
            p = mp.Process(target=echo_client, args=(listener.address, b"bench"))
            p.start()
            with listener.accept() as conn:

                def run():
                    start = time.perf_counter()
                    for _ in range(n):
                        conn.send_bytes(message)
                        conn.recv_bytes()
                    return (time.perf_counter() - start) / n

                took = statistics.median(run() for _ in range(5))
            p.join()
        record("S6_" + label.split()[0].lower() + "_seconds", took)
        print(f"S6 multiprocessing.connection {label}: {took * 1e6:.1f} us per 8-byte round trip")


def time_manager_calls(d, ns, n):
    """M1's measurement: seconds per dict get, dict set and namespace read."""
    start = time.perf_counter()
    for i in range(n):
        d["k"]
    got = time.perf_counter()
    for i in range(n):
        d["k"] = i
    put = time.perf_counter()
    for i in range(n):
        ns.x
    read = time.perf_counter()
    return ((got - start) / n, (put - got) / n, (read - put) / n)


def manager_calls(d, ns, n, out):
    """M1's child side: the same calls, timed in a child process."""
    out.put(time_manager_calls(d, ns, n))


def m1():
    n = 5_000
    with mp.Manager() as manager:
        d = manager.dict()
        d["k"] = 1
        ns = manager.Namespace()
        ns.x = 1

        runs = [time_manager_calls(d, ns, n) for _ in range(3)]
        get, put, read = (statistics.median(r[i] for r in runs) for i in range(3))
        print(
            f"M1 multiprocessing.Manager from the owner: dict get {get * 1e6:.1f} us, "
            f"set {put * 1e6:.1f} us, Namespace read {read * 1e6:.1f} us"
        )
        out = mp.Queue()
        child_runs = []
        for _ in range(3):
            p = mp.Process(target=manager_calls, args=(d, ns, n, out))
            p.start()
            child_runs.append(out.get())
            p.join()
        get, put, read = (statistics.median(r[i] for r in child_runs) for i in range(3))
        print(
            f"M1 multiprocessing.Manager from a child: dict get {get * 1e6:.1f} us, "
            f"set {put * 1e6:.1f} us, Namespace read {read * 1e6:.1f} us"
        )


def main():
    args = sys.argv[1:]
    json_path = None
    if "--json" in args:
        at = args.index("--json")
        json_path = args[at + 1]
        del args[at : at + 2]
    wanted = set(args)

    def want(name):
        return not wanted or name in wanted

    print(f"CPython {sys.version.split()[0]}, W = {W}")
    if want("T1"):
        t1()
    if want("T2"):
        t2()
    if want("T3"):
        t3()
    if any(want(p) for p in ("P1", "P2", "P3", "P4", "P6")):
        with mp.Pool(W) as pool:
            pool.apply(identity, (1,))
            if want("P1"):
                p1(pool)
            if want("P2"):
                p2(pool)
            if want("P3"):
                p3(pool)
            if want("P4"):
                p4(pool)
            if want("P6"):
                p6(pool)
    if want("P5"):
        p5()
    if want("executor"):
        executor_round_trip()
    if want("S1"):
        s1()
    if want("S2"):
        s2()
    if want("S3"):
        s3()
    if want("S4"):
        s4()
    if want("S5"):
        s5()
    if want("S6"):
        s6()
    if want("M1"):
        m1()
    if json_path:
        import json

        with open(json_path, "w") as out:
            json.dump({"python": sys.version.split()[0], "W": W, "figures": FIGURES}, out, indent=1)


if __name__ == "__main__":
    main()
