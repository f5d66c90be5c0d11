//! Group commit of the access log's read entries. Every read of a person's record writes an
//! entry before the answer goes out (issue 14, point 7). Written one by one, each is its own
//! transaction, and on SQLite each waits for the single writer and a flush to disk: under load,
//! requests queue behind one another's flushes. Here requests hand their entries to one writer
//! task, which writes whatever is waiting in one statement (all or none, one flush) and then
//! answers each request. An entry is still on disk before its page is sent; only the waiting
//! is shared.

use super::records::{self, AccessEntry};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use std::sync::Mutex;
use tokio::sync::{mpsc, oneshot};

/// The most entries written in one statement.
const MOST_AT_ONCE: usize = 256;

struct Waiting {
    entry: AccessEntry,
    at: DateTime<Utc>,
    written: oneshot::Sender<Result<(), String>>,
}

/// The writer of one portal instance (in [`crate::state::AppState`]). Its task starts with the
/// first entry, on the runtime that serves the requests, ends when the state is dropped, and
/// starts again if it ever stopped.
#[derive(Default)]
pub struct AccessLogWriter {
    queue: Mutex<Option<mpsc::Sender<Waiting>>>,
}

impl std::fmt::Debug for AccessLogWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessLogWriter(..)")
    }
}

impl AccessLogWriter {
    /// Writes `entry` (with others waiting at the same time), and returns once it is stored.
    pub async fn write(
        &self,
        db: &DatabaseConnection,
        entry: AccessEntry,
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        let queue = {
            let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            match queue.as_ref().filter(|q| !q.is_closed()) {
                Some(live) => live.clone(),
                None => {
                    let (sender, waiting) = mpsc::channel(4 * MOST_AT_ONCE);
                    tokio::spawn(write_in_groups(db.clone(), waiting));
                    *queue = Some(sender.clone());
                    sender
                }
            }
        };
        let (written, done) = oneshot::channel();
        queue
            .send(Waiting { entry, at, written })
            .await
            .map_err(|_| "the access-log writer has stopped".to_owned())?;
        done.await
            .map_err(|_| "the access-log writer has stopped".to_owned())?
    }
}

async fn write_in_groups(db: DatabaseConnection, mut waiting: mpsc::Receiver<Waiting>) {
    let mut group = Vec::with_capacity(MOST_AT_ONCE);
    while waiting.recv_many(&mut group, MOST_AT_ONCE).await > 0 {
        let all = records::record_accesses(&db, group.iter().map(|w| (&w.entry, w.at))).await;
        match all {
            Ok(()) => {
                for w in group.drain(..) {
                    let _ = w.written.send(Ok(()));
                }
            }
            // One bad entry must not fail the others: each is tried alone.
            Err(e) => {
                tracing::warn!(error = %e, entries = group.len(), "a group of access-log entries failed; writing them one by one");
                for w in group.drain(..) {
                    let alone = records::record_access(&db, &w.entry, w.at)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = w.written.send(alone);
                }
            }
        }
    }
}
