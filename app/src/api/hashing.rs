//! Password hashing on threads of its own, one per core, at a lower OS priority (nice
//! [`NICENESS`]) than the threads that serve pages. During a burst of sign-ins, pages keep their
//! share of the CPU; with nothing else to do, the hashing threads still use every core.

use std::sync::{Arc, Mutex, OnceLock, mpsc};

/// How much lower than the server's own threads hashing runs (Linux nice values, per thread).
pub const NICENESS: i32 = 10;

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
    if let Err(e) = rustix::process::nice(NICENESS) {
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
    async fn hashing_runs_on_threads_of_lower_priority_one_per_core() {
        let mine = rustix::process::getpriority_process(None).unwrap();
        let theirs = run(|| rustix::process::getpriority_process(None).unwrap())
            .await
            .unwrap();
        assert_eq!(theirs, (mine + NICENESS).min(19));
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
