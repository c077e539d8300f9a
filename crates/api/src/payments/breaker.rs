//! Retries with backoff and a circuit breaker around gateway calls. After `threshold`
//! consecutive failures the breaker opens: calls fail at once (online payment answers 503,
//! cash and wallet keep working) until `cool_down` has passed; then one trial call is let
//! through, and its success closes the breaker again.

use super::gateway::GatewayError;
use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed,
    Open,
    HalfOpen,
}

#[derive(Debug)]
struct Inner {
    failures: u32,
    opened_at: Option<Instant>,
    trial_running: bool,
}

#[derive(Debug)]
pub struct CircuitBreaker {
    threshold: u32,
    cool_down: Duration,
    /// Attempts per call (the first plus retries) and the first backoff, doubled each time.
    attempts: u32,
    backoff: Duration,
    inner: Mutex<Inner>,
}

/// Why a guarded call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    #[error("the payment gateway is failing; online payment is paused for a moment")]
    Open,
    #[error(transparent)]
    Gateway(#[from] GatewayError),
}

impl CircuitBreaker {
    pub fn new(threshold: u32, cool_down: Duration, attempts: u32, backoff: Duration) -> Self {
        Self {
            threshold: threshold.max(1),
            cool_down,
            attempts: attempts.max(1),
            backoff,
            inner: Mutex::new(Inner { failures: 0, opened_at: None, trial_running: false }),
        }
    }

    pub fn state(&self) -> BreakerState {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match inner.opened_at {
            None => BreakerState::Closed,
            Some(at) if at.elapsed() < self.cool_down => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }

    /// May a call go through now? In half-open state only one trial at a time: the trial's
    /// permit gives the trial back if the call is dropped before it has an answer (its
    /// request went away), so the breaker does not stay open until a restart.
    fn admit(&self) -> Option<Permit<'_>> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match inner.opened_at {
            None => Some(Permit { breaker: self, trial: false }),
            Some(at) if at.elapsed() < self.cool_down => None,
            Some(_) if inner.trial_running => None,
            Some(_) => {
                inner.trial_running = true;
                Some(Permit { breaker: self, trial: true })
            }
        }
    }

    fn record(&self, mut permit: Permit<'_>, ok: bool) {
        // Answered: the permit has nothing left to give back.
        permit.trial = false;
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.trial_running = false;
        if ok {
            inner.failures = 0;
            inner.opened_at = None;
        } else {
            inner.failures += 1;
            if inner.opened_at.is_some() || inner.failures >= self.threshold {
                // A failed trial opens it for another cool-down.
                inner.opened_at = Some(Instant::now());
            }
        }
    }

    /// Runs `call` with retries on `Unavailable` (a `Rejected` answer is final and counts as
    /// the gateway working).
    pub async fn call<T, F, Fut>(&self, mut call: F) -> Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, GatewayError>>,
    {
        let mut wait = self.backoff;
        for attempt in 1..=self.attempts {
            let Some(permit) = self.admit() else {
                return Err(CallError::Open);
            };
            match call().await {
                Ok(v) => {
                    self.record(permit, true);
                    return Ok(v);
                }
                Err(e @ GatewayError::Rejected(_)) => {
                    self.record(permit, true);
                    return Err(e.into());
                }
                Err(e) => {
                    self.record(permit, false);
                    if attempt == self.attempts {
                        return Err(e.into());
                    }
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        }
        Err(CallError::Open)
    }
}

/// A call let through; a trial's permit dropped unanswered gives the trial back.
struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    trial: bool,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.trial {
            self.breaker.inner.lock().unwrap_or_else(|e| e.into_inner()).trial_running = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn down() -> Result<(), GatewayError> {
        Err(GatewayError::Unavailable("connection refused".into()))
    }

    #[tokio::test]
    async fn retries_then_opens_then_lets_one_trial_through() {
        let b = CircuitBreaker::new(3, Duration::from_millis(50), 2, Duration::from_millis(1));
        let calls = AtomicU32::new(0);
        let failing = || {
            calls.fetch_add(1, Ordering::SeqCst);
            async { down() }
        };
        assert!(matches!(b.call(failing).await, Err(CallError::Gateway(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 2, "one retry");
        // The third failure opens it mid-call: the retry is not attempted.
        assert!(matches!(b.call(failing).await, Err(CallError::Open)));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(b.state(), BreakerState::Open, "three failures in a row open it");
        let before = calls.load(Ordering::SeqCst);
        assert!(matches!(b.call(failing).await, Err(CallError::Open)));
        assert_eq!(calls.load(Ordering::SeqCst), before, "open: the gateway is not called");
        // Waiting for the cool-down timer is the event here: the breaker is defined by time.
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(b.call(|| async { Ok::<_, GatewayError>(7) }).await.is_ok());
        assert_eq!(b.state(), BreakerState::Closed, "a good trial closes it");
    }

    #[tokio::test]
    async fn a_trial_dropped_mid_call_lets_the_next_trial_through() {
        // Half-open as soon as it opens (no cool-down), so no waiting is needed.
        let b = CircuitBreaker::new(1, Duration::ZERO, 1, Duration::from_millis(1));
        assert!(matches!(b.call(|| async { down() }).await, Err(CallError::Gateway(_))));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        // The trial's request goes away while the gateway has not answered.
        let hung = b.call(std::future::pending::<Result<(), GatewayError>>);
        assert!(tokio::time::timeout(Duration::from_millis(5), hung).await.is_err(), "the trial was running");
        let next = b.call(|| async { Ok::<_, GatewayError>(1) }).await;
        assert!(next.is_ok(), "the next trial is let through: {next:?}");
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[tokio::test]
    async fn a_refusal_is_an_answer_not_an_outage() {
        let b = CircuitBreaker::new(1, Duration::from_secs(60), 3, Duration::from_millis(1));
        let r = b.call(|| async { Err::<(), _>(GatewayError::Rejected("no such charge".into())) }).await;
        assert!(matches!(r, Err(CallError::Gateway(GatewayError::Rejected(_)))));
        assert_eq!(b.state(), BreakerState::Closed);
    }
}
