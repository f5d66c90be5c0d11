//! Password hashing on threads of its own, one per core, at the lowest priority a normal thread
//! can have (nice 19): a thread that serves pages takes the core from a hash almost as soon as it
//! wants it, so during a burst of sign-ins pages keep their speed; with nothing else to do, the
//! hashing threads still use every core.
//!
//! Measured on 2 cores (issue 13, NOTES.md): at nice 10 (tried first) a page's request waited
//! behind a running hash often enough to double the home page's p99 during a storm; at nice 19 it
//! is 1.1-1.8 times. Under `SCHED_IDLE` (kept for a day) it was 0.95-1.4 times, but every wake-up
//! of a thread that serves a sign-in then took a core from a hash at once, and sign-ins alone
//! reached 87-93 % of the hashing bound against 89-94 % at nice 19 (alternating on one portal).
//! Nice 19 also keeps sign-ins going, slowly, while pages alone keep every core busy (about 1.5 %
//! of a core each, where `SCHED_IDLE` left them almost nothing); they wait at most
//! `attempts::HASHING_WAIT` for a turn, then are told the portal is busy.

use std::sync::{Arc, Mutex, OnceLock, mpsc};
use thread_priority::ThreadPriority;
use thread_priority::unix::{
    NormalThreadSchedulePolicy, ThreadSchedulePolicy, set_thread_priority_and_policy,
    thread_native_id,
};

/// The scheduling policy of the hashing threads.
pub const POLICY: ThreadSchedulePolicy =
    ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Other);

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
        // This thread's policy and nice value (the 19th field of its stat line).
        fn mine() -> (ThreadSchedulePolicy, i32) {
            let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
            let after_name = &stat[stat.rfind(')').unwrap() + 2..];
            let nice = after_name.split(' ').nth(16).unwrap().parse().unwrap();
            (thread_schedule_policy().unwrap(), nice)
        }
        assert!(mine().1 < 19, "pages' threads");
        let theirs = run(mine).await.unwrap();
        assert_eq!(theirs, (POLICY, 19));
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
