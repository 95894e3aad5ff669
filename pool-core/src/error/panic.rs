//! The report a panicking task leaves behind.

use std::error::Error as StdError;
use std::fmt;

/// What a panicking task left behind: its message, where it panicked and on
/// which thread.
///
/// Its `Display` reads like Rust's own panic line:
/// `thread 'worker-1' panicked at src/lib.rs:10:5: boom`.
///
/// # Examples
///
/// ```
/// use poolrt::Panic;
///
/// let p = Panic::new("boom", Some("src/lib.rs:10:5".into()), Some("worker-1".into()));
/// assert_eq!(p.to_string(), "thread 'worker-1' panicked at src/lib.rs:10:5: boom");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panic {
    message: String,
    location: Option<String>,
    thread: Option<String>,
}

impl Panic {
    /// A panic report from its parts; `location` is `file:line:column`.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::Panic;
    ///
    /// let p = Panic::new("boom", Some("src/lib.rs:10:5".into()), None);
    /// assert_eq!(p.location(), Some("src/lib.rs:10:5"));
    /// assert_eq!(p.thread_name(), None);
    /// assert_eq!(p.to_string(), "panicked at src/lib.rs:10:5: boom");
    /// ```
    pub fn new(
        message: impl Into<String>,
        location: Option<String>,
        thread: Option<String>,
    ) -> Panic {
        Panic {
            message: message.into(),
            location,
            thread,
        }
    }

    /// The panic message (`"Box<dyn Any>"` when the payload was not a string).
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::Panic;
    ///
    /// assert_eq!(Panic::new("boom", None, None).message(), "boom");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where the panic happened, as `file:line:column`, when known.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::Panic;
    ///
    /// let p = Panic::new("boom", Some("src/main.rs:3:5".into()), None);
    /// assert_eq!(p.location(), Some("src/main.rs:3:5"));
    /// assert_eq!(Panic::new("boom", None, None).location(), None);
    /// ```
    pub fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The name of the thread that panicked, when it had one.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::Panic;
    ///
    /// let p = Panic::new("boom", None, Some("worker-1".into()));
    /// assert_eq!(p.thread_name(), Some("worker-1"));
    /// assert_eq!(Panic::new("boom", None, None).thread_name(), None);
    /// ```
    pub fn thread_name(&self) -> Option<&str> {
        self.thread.as_deref()
    }
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.thread {
            Some(name) => write!(f, "thread '{name}' panicked")?,
            None => f.write_str("panicked")?,
        }
        if let Some(location) = &self.location {
            write!(f, " at {location}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl StdError for Panic {}
