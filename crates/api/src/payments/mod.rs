//! Payments and the ledger: online payment through a [`gateway::PaymentGateway`] (the built-in
//! [`sandbox`] by default) behind retries and a circuit breaker, signed webhooks, refunds,
//! wallets, reconciliation of missed webhooks, payment deadlines, and the double-entry ledger
//! that explains every paisa (`dabba_domain::ledger`).

pub mod breaker;
mod callback;
pub mod check;
pub mod events;
pub mod gateway;
pub mod initiate;
pub mod refunds;
pub mod sandbox;
pub mod settle;
pub mod signature;
mod statements;
pub(crate) mod support;
pub mod timers;
pub(crate) mod wallet;

use crate::AppState;
use breaker::CircuitBreaker;
use dabba_domain::ledger::PayoutTerms;
use gateway::PaymentGateway;
use sandbox::Sandbox;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    callback::router()
        .merge(initiate::router())
        .merge(refunds::router())
        .merge(wallet::router())
        .merge(statements::router())
        .merge(support::router())
}

/// The pay page of the sandbox (plain HTML, outside the API document).
pub fn pages() -> axum::Router<AppState> {
    sandbox::page::router()
}

/// Operator settings of payments.
#[derive(Debug, Clone)]
pub struct PaymentsConfig {
    /// How long an order waits for online payment before it is cancelled.
    pub window: time::Duration,
    pub currency: String,
    /// Shared with the gateway: signs its webhooks.
    pub webhook_secret: Vec<u8>,
    /// A webhook signed further than this from now is refused.
    pub webhook_tolerance_secs: i64,
    /// A payment still PENDING after this long is asked about (a webhook may have been lost).
    pub reconcile_after: time::Duration,
    /// Which gateway takes card and UPI payments.
    pub gateway: GatewayChoice,
    /// How many open payments one reconciliation round asks about.
    pub reconcile_batch: i64,
    /// Tries a refund gets at the gateway before it is FAILED.
    pub refund_attempts: i32,
    /// The wait after a refund's first failed try (doubled after each).
    pub refund_backoff: time::Duration,
    pub payout: PayoutTerms,
}

impl Default for PaymentsConfig {
    fn default() -> Self {
        // A fresh random secret per process unless the operator sets one (see `serve`).
        let secret = [*uuid::Uuid::new_v4().as_bytes(), *uuid::Uuid::new_v4().as_bytes()].concat();
        Self {
            window: time::Duration::minutes(15),
            currency: "INR".into(),
            webhook_secret: secret,
            webhook_tolerance_secs: 300,
            reconcile_after: time::Duration::minutes(1),
            gateway: GatewayChoice::Sandbox,
            reconcile_batch: 200,
            refund_attempts: 8,
            refund_backoff: time::Duration::minutes(1),
            payout: PayoutTerms::default(),
        }
    }
}

/// The gateway card and UPI payments go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayChoice {
    /// The built-in test gateway (demo, tests, benchmarks; chosen explicitly otherwise).
    Sandbox,
    /// None: the node takes cash and wallet only; card and UPI answer 422.
    Off,
}

/// Payments' moving parts, shared by handlers and timers.
pub struct Payments {
    pub config: PaymentsConfig,
    pub gateway: Arc<dyn PaymentGateway>,
    pub breaker: CircuitBreaker,
    /// The built-in gateway, when it is the one in use (its pay page is served then).
    pub sandbox: Option<Arc<Sandbox>>,
    /// Wakes the refund worker when a refund is owed.
    refunds_due: Notify,
}

impl Payments {
    /// Payments through the gateway the configuration chose.
    pub fn new(config: PaymentsConfig) -> Self {
        let (gateway, sandbox): (Arc<dyn PaymentGateway>, _) = match config.gateway {
            GatewayChoice::Sandbox => {
                let sandbox = Sandbox::new(config.webhook_secret.clone());
                (sandbox.clone(), Some(sandbox))
            }
            GatewayChoice::Off => (Arc::new(gateway::NoGateway), None),
        };
        Self {
            config,
            gateway,
            breaker: CircuitBreaker::new(5, Duration::from_secs(30), 3, Duration::from_millis(50)),
            sandbox,
            refunds_due: Notify::new(),
        }
    }

    /// Whether card and UPI can be taken at all.
    pub fn online(&self) -> bool {
        self.config.gateway != GatewayChoice::Off
    }

    pub fn wake_refunds(&self) {
        self.refunds_due.notify_one();
    }

    pub(crate) async fn refunds_due(&self) {
        self.refunds_due.notified().await
    }
}
