//! Forking the zygote as glibc's `fork` would, but with `CLONE_PARENT`.

use std::io;

/// What glibc's `fork` keeps right in a child that a raw `clone3` does
/// not: the thread id glibc caches (the address the loader gave
/// `set_tid_address`) and the robust-mutex list registered with the
/// kernel.
pub(super) struct ThreadState {
    tid_address: u64,
    robust_head: u64,
    robust_len: usize,
}

/// `struct clone_args` up to `tls` (`CLONE_ARGS_SIZE_VER0`).
#[repr(C)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
}

impl ThreadState {
    /// Reads both in the zygote; `None` if the kernel cannot tell them
    /// (no `PR_GET_TID_ADDRESS` without checkpoint/restore support).
    pub(super) fn read() -> Option<ThreadState> {
        let mut tid_address: *mut libc::c_int = std::ptr::null_mut();
        // SAFETY: PR_GET_TID_ADDRESS writes one pointer to the address
        // given, which is a live local of that type.
        let rc = unsafe {
            libc::prctl(
                libc::PR_GET_TID_ADDRESS,
                &mut tid_address as *mut *mut libc::c_int,
            )
        };
        if rc != 0 || tid_address.is_null() {
            return None;
        }
        let mut robust_head: *mut libc::c_void = std::ptr::null_mut();
        let mut robust_len: libc::size_t = 0;
        // SAFETY: get_robust_list writes a pointer and a length to the two
        // live locals given.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_get_robust_list,
                0,
                &mut robust_head as *mut *mut libc::c_void,
                &mut robust_len as *mut libc::size_t,
            )
        };
        if rc != 0 {
            return None;
        }
        Some(ThreadState {
            tid_address: tid_address as u64,
            robust_head: robust_head as u64,
            robust_len,
        })
    }

    /// Forks this single-threaded process, the child becoming a child of
    /// this process's parent (`CLONE_PARENT`): 0 in the child, its pid in
    /// the zygote. The kernel writes the child's thread id where glibc
    /// caches it, in the child's memory, and clears it at its exit, as
    /// glibc's `fork` asks.
    pub(super) fn fork(&self) -> io::Result<i32> {
        let args = CloneArgs {
            flags: (libc::CLONE_PARENT | libc::CLONE_CHILD_SETTID | libc::CLONE_CHILD_CLEARTID)
                as u64,
            pidfd: 0,
            child_tid: self.tid_address,
            parent_tid: 0,
            // With CLONE_PARENT the kernel takes the zygote's own exit
            // signal (SIGCHLD, as a spawned child's) and refuses another.
            exit_signal: 0,
            stack: 0,
            stack_size: 0,
            tls: 0,
        };
        // SAFETY: a fork-like clone3 (no CLONE_VM, no new stack): the child
        // runs on a copy of this process's memory, which has one thread,
        // so no lock is held by a thread the child lacks; `args` is a live
        // `clone_args` of the size given.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_clone3,
                &args as *const CloneArgs,
                std::mem::size_of::<CloneArgs>(),
            )
        };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(rc as i32)
    }

    /// In the child: registers the robust list again (the kernel does not
    /// copy it), as glibc's `fork` does.
    pub(super) fn adopt(&self) {
        // SAFETY: the head is glibc's list head of this (only) thread, at
        // the same address in the copy; the zygote holds no robust mutex,
        // so the list is empty.
        unsafe {
            libc::syscall(
                libc::SYS_set_robust_list,
                self.robust_head as *mut libc::c_void,
                self.robust_len,
            )
        };
    }
}
