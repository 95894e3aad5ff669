#!/usr/bin/env python3
"""mpi4py.futures on the MPI workloads of benches/mpi.rs, run under the
same mpirun layout (one root, two worker ranks):

    mpirun -n 3 python3 -m mpi4py.futures benches/mpi4py_futures.py

`cargo bench -p poolrt-benches --features mpi --bench mpi` runs it right
after poolrt's figures and prints the ratios. Needs `pip install mpi4py`
(which builds against the system's Open MPI).

- P1: sequential `submit(identity, 7).result()`, µs per round trip.
- P2: `map(square, range(1_000_000))` with chunksize 1,000 and 10,000
  (mpi4py's default of 1 would take minutes), items/s of the better one.

Each line `RESULT <id> <value>` is what the Rust side reads.
"""

import statistics
import time

from mpi4py.futures import MPIPoolExecutor

ITEMS = 1_000_000
P1_CALLS = 2_000
RUNS = 3


def identity(x):
    return x


def square(x):
    return x * x


def main():
    with MPIPoolExecutor() as executor:
        workers = executor.num_workers
        for _ in range(200):
            executor.submit(identity, 7).result()
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            for _ in range(P1_CALLS):
                executor.submit(identity, 7).result()
            samples.append((time.perf_counter() - start) / P1_CALLS * 1e6)
        p1 = statistics.median(samples)
        print(f"mpi4py.futures P1 submit().result() on {workers} workers: {p1:.1f} us")
        print(f"RESULT P1 {p1:.3f}")

        best = 0.0
        for chunksize in (1_000, 10_000):
            rates = []
            for _ in range(RUNS):
                start = time.perf_counter()
                out = list(executor.map(square, range(ITEMS), chunksize=chunksize))
                rates.append(ITEMS / (time.perf_counter() - start))
                assert out[-1] == (ITEMS - 1) ** 2
            rate = statistics.median(rates)
            print(f"mpi4py.futures P2 map(square, 1M, chunksize={chunksize}): {rate / 1e6:.2f} M items/s")
            best = max(best, rate)
        print(f"RESULT P2 {best:.1f}")


if __name__ == "__main__":
    main()
