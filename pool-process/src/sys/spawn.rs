//! Starting a worker: `posix_spawn` of the program's own binary.
//!
//! glibc's `posix_spawn` uses `clone(CLONE_VM | CLONE_VFORK)` and `execve`,
//! so the multithreaded parent is never forked: the child runs no parent
//! code between the clone and the exec. The child's two descriptors reach
//! it through `dup2` file actions onto fixed numbers, which clear
//! close-on-exec on the copies only. Every other descriptor of the parent
//! stays behind, whatever its flags or number: a `closefrom` file action
//! (glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, done with
//! `close_range` in the child) closes everything above the child's own
//! numbers, as Python's `close_fds` does. One `close` action per stray
//! descriptor would fail the whole spawn with `EBADF` for a descriptor at
//! or above the soft `RLIMIT_NOFILE`, and miss one another thread opens
//! meanwhile.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use rustix::io::fcntl_dupfd_cloexec;

use super::child::ChildHandle;

/// The binary a worker runs unless told otherwise: this program's own, by
/// a name a rebuild on disk cannot swap.
pub(crate) const OWN_BINARY: &str = "/proc/self/exe";

/// The `argv[0]` workers get: this program's, so they show under its name.
pub(crate) fn own_argv0() -> OsString {
    std::env::args_os()
        .next()
        .unwrap_or_else(|| "poolrt-worker".into())
}

/// Where the child finds its socket.
pub(crate) const CHILD_SOCKET_FD: i32 = 3;
/// Where the child finds its shared region.
pub(crate) const CHILD_REGION_FD: i32 = 4;
/// Where the child finds the first descriptor it inherits for the shared
/// objects in its arguments; the others follow.
pub(crate) const CHILD_INHERITED_FD: i32 = 5;

/// Duplicates a descriptor above the numbers the child uses (`below`), so
/// the dup2 actions can neither clobber a source nor be a no-op.
fn above_child_fds(fd: BorrowedFd<'_>, below: i32) -> io::Result<OwnedFd> {
    Ok(fcntl_dupfd_cloexec(fd, below.max(10))?)
}

fn cstring(bytes: &[u8]) -> io::Result<CString> {
    CString::new(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "a NUL byte in an argument or variable",
        )
    })
}

/// Spawns `program` (normally `/proc/self/exe`) with `argv0`, the current
/// environment plus `extra_env`, `socket`/`region` as descriptors 3 and 4,
/// and `inherited` as descriptors 5 and up. Returns the handle that
/// signals, waits for and reaps the child.
pub(crate) fn spawn(
    program: &OsStr,
    argv0: &OsStr,
    extra_env: (&str, &OsStr),
    socket: &OwnedFd,
    region: &OwnedFd,
    inherited: &[OwnedFd],
) -> io::Result<ChildHandle> {
    let mut placed = vec![socket.as_fd(), region.as_fd()];
    placed.extend(inherited.iter().map(AsFd::as_fd));
    let pid = spawn_placing(program, argv0, extra_env, &placed)?;
    // Nothing has waited for the child yet, so `pid` still names it.
    ChildHandle::open(pid)
}

/// Spawns `program` with `argv0`, the current environment plus
/// `extra_env`, and `placed` as descriptors 3 and up (every other
/// descriptor above 2 stays behind). Returns the child's pid: the caller
/// owns the child and must reap it.
pub(super) fn spawn_placing(
    program: &OsStr,
    argv0: &OsStr,
    extra_env: (&str, &OsStr),
    placed: &[BorrowedFd<'_>],
) -> io::Result<libc::pid_t> {
    let top = i32::try_from(placed.len())
        .ok()
        .and_then(|n| CHILD_SOCKET_FD.checked_add(n))
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "too many descriptors"))?;
    let sources = placed
        .iter()
        .map(|fd| above_child_fds(*fd, top))
        .collect::<io::Result<Vec<_>>>()?;

    let path = cstring(program.as_bytes())?;
    let argv_owned = [cstring(argv0.as_bytes())?];
    let mut argv: Vec<*mut libc::c_char> =
        argv_owned.iter().map(|s| s.as_ptr().cast_mut()).collect();
    argv.push(std::ptr::null_mut());

    let (key, value) = extra_env;
    let mut env_owned = Vec::new();
    for (k, v) in std::env::vars_os() {
        if k.as_bytes() != key.as_bytes() {
            env_owned.push(cstring(&join_env(&k, &v))?);
        }
    }
    env_owned.push(cstring(&join_env(OsStr::new(key), value))?);
    let mut envp: Vec<*mut libc::c_char> =
        env_owned.iter().map(|s| s.as_ptr().cast_mut()).collect();
    envp.push(std::ptr::null_mut());

    let mut actions = FileActions::new()?;
    for (target, fd) in (CHILD_SOCKET_FD..).zip(&sources) {
        actions.dup2(fd.as_fd().as_raw_fd(), target)?;
    }
    // After the dup2s, whose sources all lie at or above `top`.
    actions.close_from(top)?;

    let mut pid: libc::pid_t = 0;
    // SAFETY: every pointer is valid for the call: `path`, `argv` and
    // `envp` are NUL-terminated arrays of NUL-terminated strings kept alive
    // by the `*_owned` vectors; `actions` is initialised; a null attribute
    // pointer means defaults. posix_spawn does not keep the pointers.
    let rc = unsafe {
        libc::posix_spawn(
            &mut pid,
            path.as_ptr(),
            actions.as_ptr(),
            std::ptr::null(),
            argv.as_ptr(),
            envp.as_ptr(),
        )
    };
    if rc != 0 {
        return Err(io::Error::from_raw_os_error(rc));
    }
    Ok(pid)
}

fn join_env(key: &OsStr, value: &OsStr) -> Vec<u8> {
    let mut entry = OsString::from(key);
    entry.push("=");
    entry.push(value);
    entry.into_vec()
}

/// An initialised `posix_spawn_file_actions_t`, destroyed on drop.
struct FileActions(Box<libc::posix_spawn_file_actions_t>);

impl FileActions {
    fn new() -> io::Result<FileActions> {
        // SAFETY: an all-zero value is a valid place for init to write to.
        let mut actions =
            Box::new(unsafe { std::mem::zeroed::<libc::posix_spawn_file_actions_t>() });
        // SAFETY: `actions` points to writable memory of the right type.
        let rc = unsafe { libc::posix_spawn_file_actions_init(&mut *actions) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(FileActions(actions))
    }

    fn dup2(&mut self, from: i32, to: i32) -> io::Result<()> {
        // SAFETY: `self.0` was initialised by `posix_spawn_file_actions_init`.
        let rc = unsafe { libc::posix_spawn_file_actions_adddup2(&mut *self.0, from, to) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(())
    }

    /// Closes every descriptor from `first` up in the child, whatever its
    /// flags and however far above the soft limit it lies.
    fn close_from(&mut self, first: i32) -> io::Result<()> {
        // SAFETY: `self.0` was initialised by `posix_spawn_file_actions_init`.
        let rc = unsafe { libc::posix_spawn_file_actions_addclosefrom_np(&mut *self.0, first) };
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(())
    }

    fn as_ptr(&self) -> *const libc::posix_spawn_file_actions_t {
        &*self.0
    }
}

impl Drop for FileActions {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, destroyed once here.
        unsafe { libc::posix_spawn_file_actions_destroy(&mut *self.0) };
    }
}
