//! Where the report's figures come from: the medians criterion wrote in
//! this run, and the raw figures `cpython_pool.py --json` wrote.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The medians criterion wrote under `target/criterion` since `since`.
pub(crate) struct Criterion {
    dir: PathBuf,
    since: SystemTime,
}

impl Criterion {
    pub(crate) fn new(dir: PathBuf, since: SystemTime) -> Criterion {
        Criterion { dir, since }
    }

    /// The median, in seconds per iteration, of bench `id` ("group/function"
    /// or "group/function/parameter"); `None` if it did not run in this run.
    pub(crate) fn median(&self, id: &str) -> Option<f64> {
        let path = self.dir.join(id).join("new").join("estimates.json");
        let written = fs::metadata(&path).ok()?.modified().ok()?;
        if written < self.since {
            return None;
        }
        let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).ok()?).ok()?;
        let nanos = json.get("median")?.get("point_estimate")?.as_f64()?;
        Some(nanos / 1e9)
    }
}

/// CPython's figures from `cpython_pool.py --json`, by key.
pub(crate) struct CPython {
    pub(crate) version: String,
    figures: HashMap<String, f64>,
}

impl CPython {
    /// Reads `path`; a missing or unreadable file gives no figures (the
    /// report then leaves CPython's cells empty and says so).
    pub(crate) fn read(path: &Path) -> CPython {
        let parsed = fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok());
        let Some(json) = parsed else {
            return CPython {
                version: "not measured".into(),
                figures: HashMap::new(),
            };
        };
        let figures = json
            .get("figures")
            .and_then(|f| f.as_object())
            .map(|f| {
                f.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default();
        let version = json
            .get("python")
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_string();
        CPython { version, figures }
    }

    pub(crate) fn get(&self, key: &str) -> Option<f64> {
        self.figures.get(key).copied()
    }
}
