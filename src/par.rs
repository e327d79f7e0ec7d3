//! Two independent jobs for one file, side by side.
//!
//! A single `convert` or `check` has the machine to itself, and its phases
//! split into independent halves; inside `batch` every worker already holds a
//! department, so the halves run one after the other on the worker's thread.

use std::sync::OnceLock;

/// Whether [`join`] runs its jobs on two threads here.
pub fn available() -> bool {
    static CORES: OnceLock<usize> = OnceLock::new();
    let cores = *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from));
    cores > 1 && rayon::current_thread_index().is_none()
}

/// Runs `a` and `b`, on two threads when [`available`], and returns both results.
/// A panic in either job is resumed on the caller's thread.
pub fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if !available() {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let other = s.spawn(b);
        let ra = a();
        let rb = other
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (ra, rb)
    })
}

/// Where to cut a run of jobs with these weights into two of about equal weight.
pub fn balanced_split(weights: &[usize]) -> usize {
    let total: usize = weights.iter().sum();
    let mut sum = 0;
    for (i, w) in weights.iter().enumerate() {
        if 2 * (sum + w) > total {
            // Cut before or after this job, whichever is nearer the middle.
            return if (2 * sum).abs_diff(total) <= (2 * (sum + w)).abs_diff(total) {
                i
            } else {
                i + 1
            };
        }
        sum += w;
    }
    weights.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_near_the_middle() {
        assert_eq!(balanced_split(&[1, 1, 1, 1]), 2);
        assert_eq!(balanced_split(&[10, 1, 1, 1]), 1);
        assert_eq!(balanced_split(&[1, 1, 1, 10]), 3);
        assert_eq!(balanced_split(&[]), 0);
    }

    #[test]
    fn both_results_come_back_in_order() {
        assert_eq!(join(|| 1 + 1, || "b".repeat(2)), (2, "bb".to_string()));
    }

    #[test]
    fn inside_a_pool_the_jobs_share_the_worker() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
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
