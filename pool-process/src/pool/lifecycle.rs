//! How a `Pool` ends: `close`, `terminate`, and the joins (blocking,
//! bounded, or as a future).

use std::time::Duration;

use pool_core::{CancelFutures, Error, ErrorKind, TaskFuture};

use std::sync::atomic::Ordering;

use super::{CLOSED, Pool, RUNNING, TERMINATED, failed, join_in_background};

impl Pool {
    /// Stops accepting tasks; the queued ones still run, then the workers
    /// exit (Python's `close`). An `imap` started before counts as
    /// submitted whole, as in Python: it goes on submitting its input as
    /// it is consumed, until the input ends, the iterator is dropped, or
    /// [`join`](Pool::join) is called.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let queued = pool.apply_async(|x: u8| x + 1, 1).unwrap();
    /// pool.close();
    /// assert!(pool.apply(|x: u8| x, 0).is_err(), "no new tasks after close");
    /// pool.join().unwrap();
    /// assert_eq!(queued.get().unwrap(), 2, "queued tasks still ran");
    /// assert!(pool.pids().is_empty());
    /// ```
    pub fn close(&self) {
        let _ = self
            .state
            .compare_exchange(RUNNING, CLOSED, Ordering::SeqCst, Ordering::SeqCst);
        self.links.close(CancelFutures::No);
    }

    /// Kills the workers at once (Python's `terminate`): tasks in flight
    /// fail with an error saying the pool was terminated, queued ones are
    /// cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::io::Read;
    /// # use std::net::{TcpListener, TcpStream};
    /// use poolrt::process::Pool;
    ///
    /// /// Connects to the parent, then waits for a byte that never comes.
    /// fn held(port: u16) -> u8 {
    ///     let mut byte = [0];
    ///     TcpStream::connect(("127.0.0.1", port)).unwrap().read_exact(&mut byte).unwrap();
    ///     byte[0]
    /// }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    /// let running = pool.apply_async(held, listener.local_addr().unwrap().port()).unwrap();
    /// let _conn = listener.accept().unwrap(); // the task is running now
    /// pool.terminate();
    /// pool.join().unwrap();
    /// assert!(running.get().unwrap_err().to_string().contains("terminated"));
    /// assert!(pool.pids().is_empty());
    /// ```
    pub fn terminate(&self) {
        self.state.store(TERMINATED, Ordering::SeqCst);
        self.links.terminate();
    }

    /// Waits for the workers to exit (Python's `join`), and for the
    /// callbacks still queued. It does not wait for an `imap` iterator
    /// that may never be consumed: one still submitting stops, and yields
    /// a shutdown error after the results it had in flight.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] before [`close`](Pool::close) or
    /// [`terminate`](Pool::terminate), as in Python.
    ///
    /// # Examples
    ///
    /// ```
    /// let pool = poolrt::process::Pool::new(1).unwrap();
    /// assert!(pool.join().is_err(), "join before close");
    /// pool.close();
    /// pool.join().unwrap();
    /// ```
    pub fn join(&self) -> Result<(), Error> {
        if self.state.load(Ordering::SeqCst) == RUNNING {
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail("join() before close() or terminate()"));
        }
        self.links.join(None);
        Ok(())
    }

    /// [`join`](Pool::join) for async code: returns at once a future that
    /// completes once the workers have exited and the queued callbacks
    /// have run. A helper thread does the waiting, so the thread polling
    /// the future is never blocked and other tasks of the runtime go on.
    ///
    /// Dropping a pool waits for its workers (it closes and joins), which
    /// inside an async fn blocks the runtime's thread: in async code,
    /// [`close`](Pool::close) (or [`terminate`](Pool::terminate)), await
    /// `join_async`, then drop the pool, which then returns at once. The
    /// future is a [`TaskFuture`], so blocking code can also wait on it
    /// with a timeout ([`TaskFuture::wait_timeout`]).
    ///
    /// # Errors
    ///
    /// The future yields [`ErrorKind::InvalidState`] when the pool was not
    /// closed or terminated first, as [`join`](Pool::join) does, and
    /// [`ErrorKind::Spawn`] when the helper thread could not start.
    ///
    /// # Examples
    ///
    /// ```
    /// use poolrt::process::Pool;
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let queued = pool.apply_async(|x: u8| x + 1, 1).unwrap();
    /// assert!(pool_test_support::block_on(pool.join_async()).unwrap_err().to_string().contains("close"));
    /// pool.close();
    /// // Any executor: `pool.join_async().await` in tokio.
    /// pool_test_support::block_on(pool.join_async()).unwrap();
    /// assert!(pool.pids().is_empty());
    /// assert_eq!(queued.get().unwrap(), 2, "queued tasks still ran");
    /// ```
    #[must_use = "the pool is joined once the returned future completes"]
    pub fn join_async(&self) -> TaskFuture<()> {
        if self.state.load(Ordering::SeqCst) == RUNNING {
            return failed(
                Error::from_kind(ErrorKind::InvalidState)
                    .with_detail("join() before close() or terminate()"),
            );
        }
        join_in_background(&self.links)
    }

    /// [`join`](Pool::join), giving up after `timeout`: the workers go
    /// on, and a later `join` (or `terminate`) can follow.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidState`] before [`close`](Pool::close) or
    /// [`terminate`](Pool::terminate); [`ErrorKind::Timeout`] when the
    /// workers still run after `timeout`, naming their pids.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use poolrt::process::Pool;
    ///
    /// fn spin(_: ()) -> u8 { loop { std::hint::spin_loop() } }
    ///
    /// let pool = Pool::new(1).unwrap();
    /// let _runaway = pool.apply_async(spin, ()).unwrap();
    /// pool.close();
    /// assert!(pool.join_timeout(Duration::from_millis(50)).unwrap_err().is_timeout());
    /// pool.terminate();
    /// pool.join_timeout(Duration::from_secs(30)).unwrap();
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> Result<(), Error> {
        if self.state.load(Ordering::SeqCst) == RUNNING {
            return Err(Error::from_kind(ErrorKind::InvalidState)
                .with_detail("join() before close() or terminate()"));
        }
        if self.links.join(Some(timeout)) {
            Ok(())
        } else {
            Err(self.links.join_timed_out(timeout))
        }
    }
}
