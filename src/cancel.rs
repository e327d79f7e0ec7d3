//! Stopping a job from outside: the web page's time limit, Ctrl-C.
//!
//! A job runs inside [`run`] with a [`Token`]; the loops that can run long
//! (reading cells, checking rules and sentences, writing rows) call
//! [`checkpoint`], which unwinds the job once its token is cancelled. The
//! unwinding carries a [`Cancelled`] payload through `resume_unwind`, which
//! calls no panic hook, so nothing is printed; every value the job held is
//! dropped on the way out (temporary files included). Helpers that run parts
//! of a job on other threads ([`crate::par`]) hand the token on.
//!
//! # Examples
//! ```
//! use budget_tables::cancel::{self, Token};
//! let token = Token::default();
//! token.cancel();
//! let r = cancel::run(&token, || {
//!     cancel::checkpoint();
//!     1
//! });
//! assert!(r.is_err());
//! ```

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The payload of a job's unwinding when its token was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("处理已被中止")
    }
}

impl std::error::Error for Cancelled {}

/// Shared between a job and whoever may stop it.
#[derive(Debug, Clone, Default)]
pub struct Token(Arc<AtomicBool>);

impl Token {
    /// Asks the job to stop at its next checkpoint.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the work was stopped (time limit, client gone).
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Token>> = const { RefCell::new(None) };
}

/// The token of the job running on this thread, if any.
pub fn current() -> Option<Token> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Runs `job` on this thread with `token` as its token (restoring the one
/// before afterwards), without catching anything: for the parts of a job
/// handed to other threads.
pub fn within<T>(token: Option<Token>, job: impl FnOnce() -> T) -> T {
    struct Restore(Option<Token>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let previous = CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), token));
    let _restore = Restore(previous);
    job()
}

/// Runs `job` with `token`; `Err(Cancelled)` when it was stopped at a
/// checkpoint. Any other panic goes on unwinding.
///
/// # Errors
/// [`Cancelled`] when the token was cancelled while the job ran.
pub fn run<T>(token: &Token, job: impl FnOnce() -> T) -> Result<T, Cancelled> {
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        within(Some(token.clone()), job)
    }));
    match r {
        Ok(v) => Ok(v),
        Err(payload) if payload.is::<Cancelled>() => Err(Cancelled),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

/// Stops the job here if its token was cancelled.
pub fn checkpoint() {
    let stop = CURRENT.with(|c| c.borrow().as_ref().is_some_and(Token::is_cancelled));
    if stop {
        std::panic::resume_unwind(Box::new(Cancelled));
    }
}

/// Whether a caught panic payload is a cancellation, which must go on
/// unwinding rather than be reported as a fault of the input.
pub fn is_cancellation(payload: &(dyn std::any::Any + Send)) -> bool {
    payload.is::<Cancelled>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_runs_to_its_end_unless_cancelled() {
        let t = Token::default();
        assert_eq!(run(&t, || 2 + 2), Ok(4));
        t.cancel();
        let mut reached = false;
        let r = run(&t, || {
            checkpoint();
            reached = true;
        });
        assert_eq!(r, Err(Cancelled));
        assert!(!reached);
        // Outside a job a checkpoint does nothing.
        checkpoint();
        assert!(current().is_none());
    }

    #[test]
    fn other_panics_go_on() {
        let t = Token::default();
        let r = std::panic::catch_unwind(|| run(&t, || panic!("boom")));
        assert!(r.is_err());
    }

    #[test]
    fn the_token_reaches_parts_on_other_threads() {
        let t = Token::default();
        t.cancel();
        let r = run(&t, || {
            let items: Vec<u32> = (0..64).collect();
            crate::par::map(&items, |_| checkpoint());
        });
        assert_eq!(r, Err(Cancelled));
    }
}
