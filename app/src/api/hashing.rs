//! Password hashing on threads of its own, one per core, under Linux's `SCHED_IDLE` policy: a
//! hashing thread runs only while no thread that serves pages wants its core, and gives the core
//! up the moment one does. During a burst of sign-ins, pages keep their speed; with nothing else
//! to do, the hashing threads still use every core.
//!
//! Lower than any nice value on purpose: at nice 10 (tried first) a page's request still waited
//! behind a running hash often enough to double the home page's p99 during a storm; at nice 19 it
//! was 1.4-1.8 times; under `SCHED_IDLE` 1.05-1.4 times (issue 13, NOTES.md). The other side of
//! it: while pages alone keep every core busy, sign-ins wait (at most `attempts::HASHING_WAIT`
//! for a turn, then "very busy"), and every wake-up of a thread that serves a sign-in takes a
//! core from a hash, so sign-ins alone reach a few percent less of the hashing bound than at
//! nice 10.

use std::sync::{Arc, Mutex, OnceLock, mpsc};
use thread_priority::ThreadPriority;
use thread_priority::unix::{
    NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
    thread_native_id,
};

/// The scheduling policy of the hashing threads.
pub const POLICY: ThreadSchedulePolicy =
    ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle);

type Job = Box<dyn FnOnce() + Send>;

struct Pool {
    jobs: mpsc::Sender<Job>,
    threads: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let (jobs, waiting) = mpsc::channel::<Job>();
        let waiting = Arc::new(Mutex::new(waiting));
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut started = 0;
        for n in 0..threads {
            let waiting = Arc::clone(&waiting);
            let spawned = std::thread::Builder::new()
                .name(format!("hashing-{n}"))
                .spawn(move || work_through(&waiting));
            match spawned {
                Ok(_) => started += 1,
                Err(e) => tracing::error!(error = %e, "a hashing thread could not start"),
            }
        }
        Pool {
            jobs,
            threads: started.max(1),
        }
    })
}

fn work_through(waiting: &Mutex<mpsc::Receiver<Job>>) {
    if let Err(e) = set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, POLICY)
    {
        tracing::warn!(error = %e, "a hashing thread could not lower its priority");
    }
    loop {
        let job = match waiting.lock() {
            Ok(waiting) => waiting.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = job else { return };
        // A job that panics fails alone (its caller sees no answer); the thread goes on.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

/// How many hashes run at once: one per hashing thread.
pub fn threads() -> usize {
    pool().threads
}

/// Runs `work` on a hashing thread; `None` if it could not run or panicked.
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(work());
    });
    pool().jobs.send(job).ok()?;
    answered.await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashing_runs_on_threads_of_the_lowest_priority_one_per_core() {
        use thread_priority::unix::thread_schedule_policy;
        assert_ne!(thread_schedule_policy().unwrap(), POLICY, "pages' threads");
        let theirs = run(|| thread_schedule_policy().unwrap()).await.unwrap();
        assert_eq!(theirs, POLICY);
        assert_eq!(
            threads(),
            std::thread::available_parallelism().unwrap().get()
        );
        assert_eq!(run(|| 6 * 7).await, Some(42));
        assert_eq!(run(|| -> u8 { panic!("a job that fails") }).await, None);
        assert_eq!(
            run(|| "still there").await,
            Some("still there"),
            "the thread goes on"
        );
    }
}
