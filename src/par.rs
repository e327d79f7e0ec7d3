//! Independent jobs of one file, side by side.
//!
//! A single `convert` or `check` has the machine to itself, and its phases
//! split into independent parts, run on rayon's global pool (one thread per
//! core, work-stealing, so nested splits never oversubscribe the machine).
//! Inside `batch` every worker already holds a department: there the parts run
//! one after the other on the worker's thread. A job's cancellation token
//! ([`crate::cancel`]) goes with its parts to whichever thread runs them.

use std::cell::Cell;
use std::sync::OnceLock;

use rayon::prelude::*;

thread_local! {
    static BATCH_WORKER: Cell<bool> = const { Cell::new(false) };
}

/// Marks the calling thread as a batch worker (a pool's start handler).
pub fn mark_batch_worker() {
    BATCH_WORKER.with(|b| b.set(true));
}

/// Whether [`join`] and [`map`] spread their jobs over several threads here.
pub fn available() -> bool {
    static CORES: OnceLock<usize> = OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from));
    cores > 1 && !BATCH_WORKER.with(Cell::get)
}

/// Runs `a` and `b`, in parallel when [`available`], and returns both results.
/// A panic in either job is resumed on the caller's thread.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if available() {
        let (ta, tb) = (crate::cancel::current(), crate::cancel::current());
        rayon::join(
            move || crate::cancel::within(ta, a),
            move || crate::cancel::within(tb, b),
        )
    } else {
        (a(), b())
    }
}

/// `f` over `items`, in parallel when [`available`]; results in order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if available() {
        let token = crate::cancel::current();
        items
            .par_iter()
            .map(|x| crate::cancel::within(token.clone(), || f(x)))
            .collect()
    } else {
        items.iter().map(f).collect()
    }
}

/// `f` over `items` with each item's index, mutably, in parallel when
/// [`available`]; results in order.
pub fn map_mut<T: Send, R: Send>(
    items: &mut [T],
    f: impl Fn(usize, &mut T) -> R + Sync + Send,
) -> Vec<R> {
    if available() {
        let token = crate::cancel::current();
        items
            .par_iter_mut()
            .enumerate()
            .map(|(i, t)| crate::cancel::within(token.clone(), || f(i, t)))
            .collect()
    } else {
        items.iter_mut().enumerate().map(|(i, t)| f(i, t)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_order() {
        assert_eq!(join(|| 1 + 1, || "b".repeat(2)), (2, "bb".to_string()));
        let v: Vec<u32> = (0..100).collect();
        assert_eq!(
            map(&v, |x| x * 2),
            (0..100).map(|x| x * 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_batch_worker_runs_the_jobs_itself() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .start_handler(|_| mark_batch_worker())
            .build()
            .unwrap();
        let (a, b) = pool.install(|| {
            join(
                || std::thread::current().id(),
                || std::thread::current().id(),
            )
        });
        assert_eq!(a, b);
        assert!(!pool.install(available));
    }
}
