//! The worker marker: the environment variable through which the parent
//! tells a re-executed copy of the program that it is a worker, and how.

use std::time::Duration;

use crate::wire::message::PROTOCOL;

/// The environment variable that marks a worker and carries its settings.
pub(crate) const MARKER: &str = "POOLRT_WORKER";

/// What the parent tells a worker through [`MARKER`]:
/// `protocol:parent_pid:core_or_dash:spin_micros:inherited:daemon:len:names`,
/// where `names` is the parent's name (`len` bytes) followed by the
/// worker's (last, so both may hold colons).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) parent: i32,
    pub(crate) core: Option<usize>,
    pub(crate) spin: Duration,
    /// How many descriptors the worker inherits for the shared objects in
    /// its arguments (from descriptor 5 up).
    pub(crate) inherited: usize,
    /// The name [`current_process`](crate::current_process) reports in
    /// the worker.
    pub(crate) name: String,
    /// Whether the worker is a daemon (a pool's workers are, as in Python).
    pub(crate) daemon: bool,
    /// The parent's own name, for [`parent_process`](crate::parent_process).
    pub(crate) parent_name: String,
}

impl Settings {
    pub(crate) fn render(&self) -> String {
        let core = self.core.map_or_else(|| "-".to_owned(), |c| c.to_string());
        format!(
            "{PROTOCOL}:{}:{core}:{}:{}:{}:{}:{}{}",
            self.parent,
            self.spin.as_micros(),
            self.inherited,
            u8::from(self.daemon),
            self.parent_name.len(),
            self.parent_name,
            self.name
        )
    }

    pub(crate) fn parse(text: &str) -> Option<Settings> {
        let mut fields = text.splitn(8, ':');
        let protocol: u32 = fields.next()?.parse().ok()?;
        if protocol != PROTOCOL {
            return None;
        }
        let parent = fields.next()?.parse().ok()?;
        let core = match fields.next()? {
            "-" => None,
            n => Some(n.parse().ok()?),
        };
        let spin = Duration::from_micros(fields.next()?.parse().ok()?);
        let inherited = fields.next()?.parse().ok()?;
        let daemon = match fields.next()? {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        let parent_len: usize = fields.next()?.parse().ok()?;
        let names = fields.next()?;
        if !names.is_char_boundary(parent_len) {
            return None;
        }
        let (parent_name, name) = names.split_at(parent_len);
        Some(Settings {
            parent,
            core,
            spin,
            inherited,
            name: name.to_owned(),
            daemon,
            parent_name: parent_name.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip() {
        let s = Settings {
            parent: 42,
            core: Some(1),
            spin: Duration::from_micros(150),
            inherited: 0,
            name: "PoolWorker-1".to_owned(),
            daemon: true,
            parent_name: "MainProcess".to_owned(),
        };
        assert_eq!(Settings::parse(&s.render()), Some(s));
        let none = Settings {
            parent: 7,
            core: None,
            spin: Duration::ZERO,
            inherited: 3,
            name: "a:name:with:colons".to_owned(),
            daemon: false,
            parent_name: "a:parent:é".to_owned(),
        };
        assert_eq!(Settings::parse(&none.render()), Some(none));
        assert_eq!(
            Settings::parse("999:1:-:0:0:0:0:x"),
            None,
            "another protocol"
        );
        assert_eq!(Settings::parse(&format!("{PROTOCOL}:1:-:0:0")), None);
        assert_eq!(
            Settings::parse(&format!("{PROTOCOL}:1:-:0:0:1:99:short")),
            None,
            "a parent name longer than the names"
        );
        assert_eq!(
            Settings::parse(&format!("{PROTOCOL}:1:-:0:0:1:1:é")),
            None,
            "a length inside a character"
        );
        assert_eq!(Settings::parse("garbage"), None);
    }
}
