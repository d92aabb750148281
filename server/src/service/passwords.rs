//! Password hashing with a cap on how many run at once. Each argon2 run takes about 19 MiB and a core for tens
//! of milliseconds, so a flood of logins (from however many addresses) must queue briefly and then be turned
//! away, not pile up until memory runs out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::domain::secret::{hash_password, verify_password};
use crate::error::{AppError, AppResult};

/// What a client turned away is told to wait, in seconds.
const BUSY_RETRY_SECS: u64 = 1;

pub struct Hasher {
    permits: Arc<Semaphore>,
    /// How long a request waits for a free slot before it is refused.
    wait: Duration,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

/// One slot per core by default: more would only make each hash slower.
pub fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

impl Hasher {
    pub fn new(max_concurrent: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            wait,
            running: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The most hashes that ever ran at the same time in this process (for tests and diagnostics).
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    pub async fn verify(&self, password: &str, hash: &str) -> AppResult<bool> {
        let (password, hash) = (password.to_string(), hash.to_string());
        self.run(move || verify_password(&password, &hash)).await
    }

    pub async fn hash(&self, password: &str) -> AppResult<String> {
        let password = password.to_string();
        self.run(move || hash_password(&password)).await?.map_err(AppError::internal)
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
        let permit = match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(p)) => p,
            _ => {
                metrics::counter!("password_hashes_refused_total").increment(1);
                return Err(AppError::Busy { retry_after_secs: BUSY_RETRY_SECS });
            }
        };
        let (running, peak) = (self.running.clone(), self.peak.clone());
        // The permit moves into the blocking task: it is held until the hash is done, even when the request
        // that asked for it has gone away.
        tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            metrics::gauge!("password_hashes_running").set(now as f64);
            let out = work();
            let left = running.fetch_sub(1, Ordering::SeqCst).saturating_sub(1);
            metrics::gauge!("password_hashes_running").set(left as f64);
            drop(permit);
            out
        })
        .await
        .map_err(AppError::internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn never_more_than_the_cap_and_the_rest_are_refused() {
        let hasher = Arc::new(Hasher::new(1, Duration::from_millis(1)));
        let hash = hash_password("correct horse battery").expect("hash");
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (h, hash) = (hasher.clone(), hash.clone());
                tokio::spawn(async move { h.verify("wrong password", &hash).await })
            })
            .collect();
        let mut refused = 0;
        for t in tasks {
            match t.await.expect("task") {
                Ok(ok) => assert!(!ok),
                Err(AppError::Busy { retry_after_secs }) => {
                    assert!(retry_after_secs >= 1);
                    refused += 1;
                }
                Err(e) => panic!("unexpected {e}"),
            }
        }
        assert_eq!(hasher.peak(), 1);
        assert!(refused >= 1, "six at once with one slot and no patience: some are turned away");
    }
}
