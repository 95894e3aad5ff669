//! The MPI rows of the report: `benches/mpi.rs` (run by `report.sh` when
//! `mpirun` is installed) prints `RESULT mpi.<id> <value>` for poolrt's
//! MPI pool and `RESULT mpi4py.<id> <value>` for `mpi4py.futures`, both
//! under `mpirun -n 3` in the same run; they land in the run's log.

use crate::table::Row;

/// The value of `RESULT <id> <value>` in the log, if that line is there.
fn result(log: &str, id: &str) -> Option<f64> {
    log.lines().find_map(|line| {
        let rest = line.strip_prefix("RESULT ")?.strip_prefix(id)?;
        rest.strip_prefix(' ')?.trim().parse().ok()
    })
}

/// The MPI rows, for the figures this run's log holds (none when the MPI
/// bench did not run).
pub(crate) fn rows(log: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let theirs = |id: &str| result(log, &format!("mpi4py.{id}"));
    if let Some(p1) = result(log, "mpi.P1") {
        let mpi4py = theirs("P1");
        rows.push(Row {
            workload: "MPI P1, `apply` round trip, 2 worker ranks",
            poolrt: format!("{p1:.1} µs"),
            peers: mpi4py
                .map(|t| format!("mpi4py.futures {t:.1} µs"))
                .into_iter()
                .collect(),
            ratio: mpi4py.map_or("–".into(), |t| format!("{:.0}× mpi4py", t / p1)),
            target: "≤ 50 µs, ≥ 10× mpi4py",
            met: Some(p1 <= 50.0 && mpi4py.is_none_or(|t| t / p1 >= 10.0)),
        });
    }
    if let Some(p2) = result(log, "mpi.P2") {
        let mpi4py = theirs("P2");
        rows.push(Row {
            workload: "MPI P2, `map(square, 0..10⁶)`, 2 worker ranks",
            poolrt: format!("{:.1} M items/s", p2 / 1e6),
            peers: mpi4py
                .map(|t| format!("mpi4py.futures (best chunksize) {:.2} M items/s", t / 1e6))
                .into_iter()
                .collect(),
            ratio: mpi4py.map_or("–".into(), |t| format!("{:.0}× mpi4py", p2 / t)),
            target: "≥ 20× mpi4py",
            met: mpi4py.map(|t| p2 / t >= 20.0),
        });
    }
    if let Some(p4) = result(log, "mpi.P4") {
        rows.push(Row {
            workload: "MPI P4 efficiency, one worker rank per core",
            poolrt: format!("{p4:.3}"),
            peers: result(log, "mpi.P4local")
                .map(|l| format!("process backend, same tasks {l:.3}"))
                .into_iter()
                .collect(),
            ratio: "–".into(),
            target: "≥ 0.95",
            met: Some(p4 >= 0.95),
        });
    }
    if let Some(idle) = result(log, "mpi.idle") {
        rows.push(Row {
            workload: "MPI idle pool, busiest rank",
            poolrt: format!("{idle:.2}% of a core"),
            peers: Vec::new(),
            ratio: "–".into(),
            target: "< 1%",
            met: Some(idle < 1.0),
        });
    }
    rows
}
