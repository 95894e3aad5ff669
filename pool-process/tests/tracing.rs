//! With the `tracing` feature, the spans and events the README's "Logging"
//! section lists are emitted where it says, with its fields: for a thread
//! pool and a process pool, a worker killed by SIGKILL and its
//! replacement, failing initializers, shutdowns and an unretrieved error.
//!
//! A recording layer on tracing-subscriber's registry is the global
//! subscriber of this test binary. The tests run concurrently, so each
//! builds its pool inside a `case` span of its own and looks only at the
//! records under it: the task spans hang under the submitter's span, the
//! worker spans under the span open when the pool was built.

// tracing-subscriber is not built under `--cfg loom` (Cargo.toml).
#![cfg(not(loom))]

mod support;

use std::collections::BTreeMap;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Instant;

use pool_process::{Pool, ProcessPoolExecutor};
use pool_thread::ThreadPoolExecutor;
use support::BOUND;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// What was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A span was created.
    NewSpan,
    /// A span was entered.
    Enter,
    Event,
}

type Fields = BTreeMap<String, String>;

/// One span creation, span entry or event, with its fields, the spans
/// around it (innermost first; for a span, itself first) and its thread.
#[derive(Clone, Debug)]
struct Rec {
    kind: Kind,
    name: String,
    target: String,
    level: tracing::Level,
    fields: Fields,
    scope: Vec<(String, Fields)>,
    thread: Option<String>,
}

impl Rec {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    fn under(&self, span: &str) -> bool {
        self.scope.iter().any(|(name, _)| name == span)
    }

    fn in_case(&self, case: &str) -> bool {
        self.scope.iter().any(|(name, fields)| {
            name == "case" && fields.get("name").map(String::as_str) == Some(case)
        })
    }
}

struct FieldVisitor<'a>(&'a mut Fields);

impl Visit for FieldVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

#[derive(Default)]
struct Records {
    list: Mutex<Vec<Rec>>,
    added: Condvar,
}

impl Records {
    fn push(&self, rec: Rec) {
        self.list.lock().unwrap().push(rec);
        self.added.notify_all();
    }

    /// The records of `case` so far.
    fn of(&self, case: &str) -> Vec<Rec> {
        let list = self.list.lock().unwrap();
        list.iter().filter(|r| r.in_case(case)).cloned().collect()
    }

    /// Waits (at most [`BOUND`]) for a record that `matches`.
    fn wait_for(&self, what: &str, matches: impl Fn(&Rec) -> bool) -> Rec {
        let deadline = Instant::now() + BOUND;
        let mut list = self.list.lock().unwrap();
        loop {
            if let Some(rec) = list.iter().find(|r| matches(r)) {
                return rec.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {what} within {BOUND:?}; records: {list:#?}"
            );
            list = self.added.wait_timeout(list, left).unwrap().0;
        }
    }
}

struct Recorder(&'static Records);

impl Recorder {
    fn scope<S>(span: Option<tracing_subscriber::registry::SpanRef<'_, S>>) -> Vec<(String, Fields)>
    where
        S: for<'a> LookupSpan<'a>,
    {
        let Some(span) = span else {
            return Vec::new();
        };
        span.scope()
            .map(|s| {
                let fields = s.extensions().get::<Fields>().cloned().unwrap_or_default();
                (s.name().to_owned(), fields)
            })
            .collect()
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        attrs.record(&mut FieldVisitor(&mut fields));
        let span = ctx.span(id).expect("a new span is in the registry");
        span.extensions_mut().insert(fields.clone());
        self.0.push(Rec {
            kind: Kind::NewSpan,
            name: span.name().to_owned(),
            target: span.metadata().target().to_owned(),
            level: *span.metadata().level(),
            fields,
            scope: Self::scope(Some(span)),
            thread: std::thread::current().name().map(String::from),
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(&mut FieldVisitor(fields));
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let span = ctx.span(id).expect("an entered span is in the registry");
        let fields = span
            .extensions()
            .get::<Fields>()
            .cloned()
            .unwrap_or_default();
        self.0.push(Rec {
            kind: Kind::Enter,
            name: span.name().to_owned(),
            target: span.metadata().target().to_owned(),
            level: *span.metadata().level(),
            fields,
            scope: Self::scope(Some(span)),
            thread: std::thread::current().name().map(String::from),
        });
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::new();
        event.record(&mut FieldVisitor(&mut fields));
        self.0.push(Rec {
            kind: Kind::Event,
            name: event.metadata().name().to_owned(),
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields,
            scope: Self::scope(ctx.event_span(event)),
            thread: std::thread::current().name().map(String::from),
        });
    }
}

/// The records of this test binary, after installing the recorder once.
fn records() -> &'static Records {
    static RECORDS: OnceLock<&'static Records> = OnceLock::new();
    RECORDS.get_or_init(|| {
        let records: &'static Records = Box::leak(Box::default());
        let subscriber = tracing_subscriber::registry().with(Recorder(records));
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber");
        records
    })
}

/// The events named `name` among `records`.
fn events<'a>(records: &'a [Rec], name: &str) -> Vec<&'a Rec> {
    records
        .iter()
        .filter(|r| r.kind == Kind::Event && r.name == name)
        .collect()
}

fn worker_pid(_: ()) -> u32 {
    std::process::id()
}

fn sigkill(_: ()) -> u32 {
    // SAFETY: raising a signal has no memory-safety preconditions.
    unsafe { libc::raise(libc::SIGKILL) };
    unreachable!("SIGKILL did not end the worker")
}

fn exit_3(_: ()) -> u32 {
    std::process::exit(3)
}

fn init_fails(_: ()) -> Result<(), String> {
    Err("no database at db://nowhere".to_owned())
}

#[test]
fn a_thread_pool_traces_its_tasks_workers_and_shutdown() {
    let records = records();
    let case = tracing::info_span!("case", name = "thread_pool").entered();
    let executor = ThreadPoolExecutor::builder()
        .max_workers(2)
        .thread_name_prefix("traced")
        .build()
        .unwrap();
    let futures: Vec<_> = (0..4u32)
        .map(|i| executor.submit(move || i * 2).unwrap())
        .collect();
    let total: u32 = futures.iter().map(|f| f.result().unwrap()).sum();
    assert_eq!(total, 12);
    executor.shutdown();
    drop(case);

    let seen = records.of("thread_pool");
    let submits: Vec<_> = seen
        .iter()
        .filter(|r| r.kind == Kind::NewSpan && r.name == "poolrt.submit")
        .collect();
    assert_eq!(submits.len(), 4, "one submit span per task: {seen:#?}");
    let tasks: Vec<_> = seen
        .iter()
        .filter(|r| r.kind == Kind::NewSpan && r.name == "poolrt.task")
        .collect();
    assert_eq!(tasks.len(), 4, "{seen:#?}");
    assert!(tasks.iter().all(|t| t.under("poolrt.submit")));
    assert!(
        tasks
            .iter()
            .all(|t| t.target == "poolrt" && t.level == tracing::Level::DEBUG)
    );
    // Each task span is entered while its task runs, on a worker thread.
    let runs: Vec<_> = seen
        .iter()
        .filter(|r| r.kind == Kind::Enter && r.name == "poolrt.task")
        .collect();
    assert_eq!(runs.len(), 4, "{seen:#?}");
    for run in &runs {
        let thread = run.thread.as_deref().unwrap_or_default();
        assert!(thread.starts_with("traced"), "ran on {thread:?}");
    }
    // The workers' spans hang under the span the pool was built in.
    let starts = events(&seen, "poolrt.worker.start");
    assert!((1..=2).contains(&starts.len()), "{seen:#?}");
    for start in &starts {
        assert!(start.under("poolrt.worker"), "{start:?}");
        assert_eq!(
            start.field("worker"),
            start.scope[0].1.get("worker").map(String::as_str)
        );
    }
    assert_eq!(events(&seen, "poolrt.worker.exit").len(), starts.len());
    let shutdown = events(&seen, "poolrt.shutdown");
    assert_eq!(shutdown.len(), 1, "{seen:#?}");
    assert_eq!(shutdown[0].field("cancelled"), Some("0"));
    assert_eq!(shutdown[0].level, tracing::Level::INFO);
}

#[test]
fn a_thread_pool_traces_a_failing_initializer() {
    let records = records();
    let case = tracing::info_span!("case", name = "thread_init").entered();
    let executor = ThreadPoolExecutor::builder()
        .max_workers(1)
        .initializer(|| Err("no database"))
        .build()
        .unwrap();
    assert!(
        executor
            .submit(|| 1)
            .unwrap()
            .result()
            .unwrap_err()
            .is_broken()
    );
    drop(case);
    let failed = records.wait_for("the initializer failure", |r| {
        r.in_case("thread_init") && r.name == "poolrt.worker.start_failed"
    });
    assert_eq!(failed.level, tracing::Level::ERROR);
    assert_eq!(failed.field("worker"), Some("0"));
    let error = failed.field("error").unwrap();
    assert!(error.contains("initializer"), "{error}");
}

#[test]
fn a_process_pool_traces_spawn_death_by_sigkill_and_replacement() {
    let records = records();
    let case = tracing::info_span!("case", name = "process_pool").entered();
    let pool = Pool::new(1).unwrap();
    let first = pool.apply(worker_pid, ()).unwrap();
    assert!(pool.apply(sigkill, ()).unwrap_err().is_worker_lost());
    let second = pool.apply(worker_pid, ()).unwrap();
    assert_ne!(first, second);
    pool.close();
    pool.join().unwrap();
    drop(case);

    let seen = records.of("process_pool");
    let spawns = events(&seen, "poolrt.process.spawn");
    assert_eq!(spawns[0].field("pid"), Some(first.to_string().as_str()));
    assert_eq!(spawns[0].field("worker"), Some("0"));
    assert!(spawns[0].under("poolrt.worker"));
    // The death: its pid and signal 9, inside the span of the task the
    // worker held.
    let deaths = events(&seen, "poolrt.process.death");
    assert_eq!(deaths.len(), 1, "{seen:#?}");
    let death = deaths[0];
    assert_eq!(death.level, tracing::Level::WARN);
    assert_eq!(death.field("pid"), Some(first.to_string().as_str()));
    assert_eq!(death.field("signal"), Some("9"));
    assert_eq!(death.field("code"), None);
    assert_eq!(death.field("cause"), Some("died"));
    assert!(death.field("status").unwrap().contains("SIGKILL"));
    assert!(death.under("poolrt.task"), "{death:?}");
    // Its replacement, started for the next task.
    let replaced = events(&seen, "poolrt.process.replace");
    assert_eq!(replaced.len(), 1, "{seen:#?}");
    assert_eq!(replaced[0].field("pid"), Some(second.to_string().as_str()));
    assert!(
        spawns
            .iter()
            .any(|s| s.field("pid") == Some(second.to_string().as_str()))
    );
    // Three tasks, each with its submit and task spans.
    let task_spans = seen
        .iter()
        .filter(|r| r.kind == Kind::NewSpan && r.name == "poolrt.task")
        .count();
    assert!(task_spans >= 3, "{seen:#?}");
    assert_eq!(events(&seen, "poolrt.shutdown").len(), 1);
}

#[test]
fn a_process_pool_traces_a_failing_initializer() {
    let records = records();
    let case = tracing::info_span!("case", name = "process_init").entered();
    let pool = Pool::builder()
        .processes(1)
        .initializer(init_fails, ())
        .build()
        .unwrap();
    assert!(pool.apply(worker_pid, ()).unwrap_err().is_broken());
    pool.close();
    pool.join().unwrap();
    drop(case);
    let seen = records.of("process_init");
    let failed = events(&seen, "poolrt.process.init_failed");
    assert_eq!(failed.len(), 1, "{seen:#?}");
    assert_eq!(failed[0].level, tracing::Level::ERROR);
    assert!(failed[0].field("pid").is_some());
    let error = failed[0].field("error").unwrap();
    assert!(error.contains("no database at db://nowhere"), "{error}");
    // The scheduler then marks the pool broken, naming the same cause.
    let broken = events(&seen, "poolrt.worker.start_failed");
    assert_eq!(broken.len(), 1, "{seen:#?}");
}

#[test]
fn an_executor_terminated_traces_it_and_an_unread_error_is_reported() {
    let records = records();
    let case = tracing::info_span!("case", name = "executor").entered();
    let executor = ProcessPoolExecutor::new(1).unwrap();
    let pid = executor.submit(worker_pid, ()).unwrap().result().unwrap();
    let failed = executor.submit(exit_3, ()).unwrap();
    failed.wait();
    // Nobody reads the error: dropping the future reports it.
    drop(failed);
    let report = records.wait_for("the unretrieved-error report", |r| {
        r.name == "poolrt.report"
            && r.field("message")
                .is_some_and(|m| m.contains(&pid.to_string()))
    });
    assert_eq!(report.level, tracing::Level::ERROR);
    assert_eq!(report.field("kind"), Some("unretrieved"));
    let message = report.field("message").unwrap();
    assert!(message.contains("never retrieved"), "{message}");
    assert!(message.contains("exited with code 3"), "{message}");
    executor.terminate_workers();
    drop(executor);
    drop(case);
    let seen = records.of("executor");
    let death = events(&seen, "poolrt.process.death");
    assert_eq!(death[0].field("code"), Some("3"), "{seen:#?}");
    assert!(!events(&seen, "poolrt.terminate").is_empty(), "{seen:#?}");
}
