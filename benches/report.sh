#!/usr/bin/env bash
# poolrt's benchmark report in one command: every criterion bench (poolrt
# and its Rust peers, rayon-core, the threadpool crate and procspawn, in the
# same run), the MPI bench against mpi4py.futures when Open MPI is
# installed, then CPython's side (`cpython_pool.py`), then `report`, which
# writes benches/report/REPORT.md with the table of ratios and the SVG
# growth plots, and puts the same text into README.md between its report
# markers. The load average before and after is part of the report, with a
# warning when the machine was busy. Takes about 20 minutes on 2 cores.
#
#     benches/report.sh              # everything
#     benches/report.sh --no-readme  # leave README.md alone
set -euo pipefail
cd "$(dirname "$0")/.."

readme=(--readme README.md)
if [[ "${1:-}" == "--no-readme" ]]; then
    readme=()
fi

target="${CARGO_TARGET_DIR:-target}"
log="$target/report-run.log"
mkdir -p "$target"

# Build first, so compiling is neither timed nor counted in the load.
cargo bench -p poolrt-benches --no-run
# The MPI bench too, when Open MPI is installed (it runs under mpirun).
mpi=false
if command -v mpirun >/dev/null && command -v mpicc >/dev/null; then
    mpi=true
    cargo bench -p poolrt-benches --features mpi --bench mpi --no-run
fi
cargo build --release -p poolrt-benches --bin report

# The build just raised the 1-minute load average: give it up to two
# minutes to settle below half the cores, so the figure reported is the
# machine's, not the compiler's.
half=$(( $(nproc) / 2 ))
for _ in $(seq 24); do
    awk -v h="$half" '{ exit !($1 < h || ($1 < 0.5 && h == 0)) }' /proc/loadavg && break
    sleep 5
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
since=$(date +%s)
echo "== benches (full output in $log); load average $load_before"
cargo bench -p poolrt-benches 2>&1 | tee "$log" | grep -E '^(==|T[0-9]|P[0-9]|S[0-9]|Q|V[0-9]|CPU|IO)' || true
if $mpi; then
    echo "== MPI bench (mpirun -n 3, poolrt then mpi4py.futures)"
    cargo bench -p poolrt-benches --features mpi --bench mpi 2>&1 | tee -a "$log" | grep -E '^(==|P[0-9]|idle)' || true
fi
echo "== CPython"
python3 benches/cpython_pool.py --json "$target/cpython.json" | tee -a "$log"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$target/release/report" --since "$since" --cpython "$target/cpython.json" \
    --out benches/report --load-before "$load_before" --load-after "$load_after" --log "$log" "${readme[@]}"
