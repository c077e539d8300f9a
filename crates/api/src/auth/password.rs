//! Argon2id password hashing (the crate's defaults: 19 MiB, 2 passes, as OWASP recommends).
//! Hashing takes tens of milliseconds of CPU, so it runs on the blocking pool, a few at a time:
//! a login flood waits (and meets the request deadline) instead of running hundreds of 19 MiB
//! hashes at once.

use crate::error::ApiError;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Hashes running at once: one per core (more cannot go faster, only use more memory).
fn hashing() -> &'static Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    SLOTS.get_or_init(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))))
}

/// A request waits this long for a slot, then is told the server is busy: a login flood must
/// not hold the server's request slots for the whole deadline.
const SLOT_WAIT: Duration = Duration::from_secs(2);

/// Runs one hash computation in a slot of the blocking pool. The slot goes with the work, so a
/// request dropped mid-hash keeps it until the hash really ends.
async fn in_slot<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    let slot = match tokio::time::timeout(SLOT_WAIT, hashing().clone().acquire_owned()).await {
        Ok(Ok(slot)) => slot,
        Ok(Err(e)) => return Err(ApiError::Internal(format!("hash slots closed: {e}"))),
        Err(_) => {
            return Err(ApiError::Unavailable {
                code: "OVERLOADED",
                message: "too many sign-ins at once; try again in a moment".into(),
            });
        }
    };
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| ApiError::Internal(format!("hashing task failed: {e}")))
}

/// Hashes a password into a PHC string (`$argon2id$v=19$…`).
pub async fn hash(password: String) -> Result<String, ApiError> {
    in_slot(move || hash_now(&password)).await?
}

/// Synchronous [`hash`], for command-line tools.
pub fn hash_now(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash. With no stored hash (unknown user) it still spends
/// the time of one verification, so response time does not reveal which accounts exist.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    in_slot(move || {
        let target = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let ok = Argon2::default().verify_password(password.as_bytes(), target).is_ok();
        ok && stored.is_some()
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not a real password, only spends time").unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trip_and_mismatch() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await.unwrap());
        assert!(!verify("wrong horse battery".into(), Some(h)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }
}
