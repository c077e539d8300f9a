//! The built-in sandbox gateway: behaves like a real gateway's test mode so the whole payment
//! flow runs with no outside service. It keeps its charges in memory (they are test data and
//! vanish on restart, like a test-mode account reset), hosts the pay page (`page`), and reports
//! results by signed webhooks over HTTP to `/api/v1/payments/callback`, retrying with backoff
//! as real gateways do.

mod instruments;
pub mod page;

pub use instruments::Outcome;

use super::gateway::{Charge, ChargeReport, ChargeRequest, ChargeStatus, GatewayError, OnlineMethod, PaymentGateway};
use super::signature;
use async_trait::async_trait;
use dabba_store::CardOnFile;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use uuid::Uuid;

#[derive(Debug, Clone)]
struct SandboxCharge {
    payment_id: Uuid,
    amount: i64,
    currency: String,
    method: OnlineMethod,
    status: ChargeStatus,
    card: Option<CardOnFile>,
    failure_reason: Option<String>,
    /// refund id → (gateway refund reference, amount)
    refunds: HashMap<Uuid, (String, i64)>,
    /// The last webhook body sent, for replays.
    last_event: Option<Vec<u8>>,
    /// The pay page was submitted (a delayed result is still pending then).
    submitted: bool,
}

/// What the customer typed on the pay page.
#[derive(Debug, Clone)]
pub enum Instrument {
    Card {
        number: String,
        expiry: String,
        cvv: String,
    },
    Upi {
        vpa: String,
    },
    /// The customer pressed "decline".
    Decline,
}

/// The page's answer to a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    Paid,
    Declined(String),
    Processing,
}

pub struct Sandbox {
    secret: Vec<u8>,
    charges: Mutex<HashMap<String, SandboxCharge>>,
    /// Where webhooks go; set when the server knows its address.
    callback_url: RwLock<Option<String>>,
    client: reqwest::Client,
    down: AtomicBool,
    /// Failure injection: charges whose refunds are refused.
    refusing: Mutex<std::collections::HashSet<String>>,
    /// How long a delayed instrument stays pending, in milliseconds.
    delay_ms: AtomicU64,
}

impl Sandbox {
    pub fn new(secret: Vec<u8>) -> Arc<Self> {
        Arc::new(Self {
            secret,
            charges: Mutex::default(),
            callback_url: RwLock::default(),
            client: reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap_or_default(),
            down: AtomicBool::new(false),
            refusing: Mutex::default(),
            delay_ms: AtomicU64::new(3_000),
        })
    }

    /// The base URL of the server the webhooks go to (`http://127.0.0.1:8080`).
    pub fn set_callback_base(&self, base: &str) {
        let url = format!("{}/api/v1/payments/callback", base.trim_end_matches('/'));
        *self.callback_url.write().unwrap_or_else(|e| e.into_inner()) = Some(url);
    }

    /// Failure injection: while down, every call fails as an unreachable gateway does.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Failure injection: while set, the gateway refuses every refund of this charge.
    pub fn refuse_refunds(&self, gateway_ref: &str, refuse: bool) {
        let mut set = self.refusing.lock().unwrap_or_else(|e| e.into_inner());
        if refuse {
            set.insert(gateway_ref.to_owned());
        } else {
            set.remove(gateway_ref);
        }
    }

    /// How many refunds the gateway has made on a charge.
    pub fn refunds_made(&self, gateway_ref: &str) -> usize {
        self.charges().get(gateway_ref).map_or(0, |c| c.refunds.len())
    }

    /// How long a delayed instrument stays pending.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms.store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    fn check_up(&self) -> Result<(), GatewayError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(GatewayError::Unavailable("connection refused (sandbox is down)".into()));
        }
        Ok(())
    }

    fn charges(&self) -> std::sync::MutexGuard<'_, HashMap<String, SandboxCharge>> {
        self.charges.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The charges that can still be paid (operators' and tests' view of the sandbox).
    pub fn payable_charges(&self) -> usize {
        self.charges().values().filter(|c| c.status == ChargeStatus::Pending).count()
    }

    /// `(amount, currency, method, status)` of a charge, for the pay page.
    pub fn describe(&self, gateway_ref: &str) -> Option<(i64, String, OnlineMethod, ChargeStatus)> {
        self.charges().get(gateway_ref).map(|c| (c.amount, c.currency.clone(), c.method, c.status))
    }

    /// The customer submits the pay page. Immediate results are reported by webhook before
    /// this returns (so the order is confirmed when the customer comes back); a delayed one a
    /// little later; a "lost" one never (reconciliation finds it).
    pub async fn submit(self: &Arc<Self>, gateway_ref: &str, instrument: Instrument) -> Result<Submitted, String> {
        let now = time::OffsetDateTime::now_utc();
        let (outcome, card) = {
            let mut charges = self.charges();
            let c = charges.get_mut(gateway_ref).ok_or("no such payment")?;
            if c.status != ChargeStatus::Pending || c.submitted {
                return Err("this payment was already submitted".into());
            }
            let decided = match (&instrument, c.method) {
                (Instrument::Decline, _) => (Outcome::Declined("declined_by_customer"), None),
                (Instrument::Card { number, expiry, cvv }, OnlineMethod::Card) => {
                    let (o, card) = instruments::card(number, expiry, cvv, now.year(), now.month() as u8)?;
                    (o, Some(card))
                }
                (Instrument::Upi { vpa }, OnlineMethod::Upi) => (instruments::upi(vpa)?, None),
                _ => return Err("this payment takes another method".into()),
            };
            c.submitted = true;
            decided
        };
        let settle = |status: ChargeStatus, reason: Option<&str>| {
            let mut charges = self.charges();
            if let Some(c) = charges.get_mut(gateway_ref) {
                c.status = status;
                c.failure_reason = reason.map(str::to_owned);
                if card.is_some() {
                    c.card = card.clone();
                }
            }
        };
        match outcome {
            Outcome::Paid => {
                settle(ChargeStatus::Succeeded, None);
                self.deliver(gateway_ref).await;
                Ok(Submitted::Paid)
            }
            Outcome::Declined(reason) => {
                settle(ChargeStatus::Failed, Some(reason));
                self.deliver(gateway_ref).await;
                Ok(Submitted::Declined(reason.into()))
            }
            Outcome::WebhookLost => {
                settle(ChargeStatus::Succeeded, None);
                Ok(Submitted::Paid)
            }
            Outcome::Delayed => {
                settle(ChargeStatus::Pending, None);
                let me = self.clone();
                let r = gateway_ref.to_owned();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(me.delay_ms.load(Ordering::SeqCst))).await;
                    if let Some(c) = me.charges().get_mut(&r) {
                        c.status = ChargeStatus::Succeeded;
                    }
                    me.deliver(&r).await;
                });
                Ok(Submitted::Processing)
            }
        }
    }

    /// Sends the charge's current state as a new signed event; retries 5 times with backoff.
    pub async fn deliver(&self, gateway_ref: &str) -> bool {
        let body = {
            let mut charges = self.charges();
            let Some(c) = charges.get_mut(gateway_ref) else { return false };
            let kind = match c.status {
                ChargeStatus::Succeeded => "charge.succeeded",
                ChargeStatus::Failed => "charge.failed",
                ChargeStatus::Pending => "charge.pending",
            };
            let body = json!({
                "event_id": format!("evt_{}", Uuid::new_v4().simple()),
                "type": kind,
                "charge_id": gateway_ref,
                "payment_id": c.payment_id,
                "amount": c.amount,
                "currency": c.currency,
                "card": c.card.as_ref().map(|k| json!({
                    "token": k.token, "brand": k.brand, "last4": k.last4, "expiry": k.expiry,
                })),
                "failure_reason": c.failure_reason,
                "created": time::OffsetDateTime::now_utc().unix_timestamp(),
            })
            .to_string()
            .into_bytes();
            c.last_event = Some(body.clone());
            body
        };
        self.send(body).await
    }

    /// Sends the last event of a charge again, as a gateway does when it did not see our 2xx.
    pub async fn replay(&self, gateway_ref: &str) -> bool {
        let body = self.charges().get(gateway_ref).and_then(|c| c.last_event.clone());
        match body {
            Some(b) => self.send(b).await,
            None => false,
        }
    }

    async fn send(&self, body: Vec<u8>) -> bool {
        let Some(url) = self.callback_url.read().unwrap_or_else(|e| e.into_inner()).clone() else {
            tracing::warn!("sandbox gateway has no callback address; webhook not sent");
            return false;
        };
        let mut wait = Duration::from_millis(100);
        for _ in 0..5 {
            let t = time::OffsetDateTime::now_utc().unix_timestamp();
            let sent = self
                .client
                .post(&url)
                .header("content-type", "application/json")
                .header(signature::HEADER, signature::sign(&self.secret, t, &body))
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() || r.status().is_client_error() => return r.status().is_success(),
                Ok(r) => tracing::warn!(status = %r.status(), "webhook refused; will retry"),
                Err(e) => tracing::warn!(error = %e, "webhook not delivered; will retry"),
            }
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
        false
    }
}

#[async_trait]
impl PaymentGateway for Sandbox {
    async fn create_charge(&self, req: &ChargeRequest) -> Result<Charge, GatewayError> {
        self.check_up()?;
        let gateway_ref = format!("ch_{}", Uuid::new_v4().simple());
        self.charges().insert(
            gateway_ref.clone(),
            SandboxCharge {
                payment_id: req.payment_id,
                amount: req.amount,
                currency: req.currency.clone(),
                method: req.method,
                status: ChargeStatus::Pending,
                card: None,
                failure_reason: None,
                refunds: HashMap::new(),
                last_event: None,
                submitted: false,
            },
        );
        Ok(Charge { pay_url: format!("/sandbox/pay/{gateway_ref}"), gateway_ref })
    }

    async fn charge_status(&self, gateway_ref: &str) -> Result<ChargeReport, GatewayError> {
        self.check_up()?;
        let charges = self.charges();
        let c = charges.get(gateway_ref).ok_or_else(|| GatewayError::Rejected(format!("no charge {gateway_ref}")))?;
        Ok(ChargeReport {
            gateway_ref: gateway_ref.into(),
            payment_id: c.payment_id,
            status: c.status,
            amount: c.amount,
            currency: c.currency.clone(),
            card: c.card.clone(),
            failure_reason: c.failure_reason.clone(),
        })
    }

    async fn refund(&self, gateway_ref: &str, refund_id: Uuid, amount: i64) -> Result<String, GatewayError> {
        self.check_up()?;
        if self.refusing.lock().unwrap_or_else(|e| e.into_inner()).contains(gateway_ref) {
            return Err(GatewayError::Rejected("the issuing bank refused the refund".into()));
        }
        let mut charges = self.charges();
        let c =
            charges.get_mut(gateway_ref).ok_or_else(|| GatewayError::Rejected(format!("no charge {gateway_ref}")))?;
        if let Some((r, _)) = c.refunds.get(&refund_id) {
            return Ok(r.clone());
        }
        let refunded: i64 = c.refunds.values().map(|(_, a)| a).sum();
        if c.status != ChargeStatus::Succeeded || refunded + amount > c.amount {
            return Err(GatewayError::Rejected("refund exceeds what was captured".into()));
        }
        let r = format!("rf_{}", Uuid::new_v4().simple());
        c.refunds.insert(refund_id, (r.clone(), amount));
        Ok(r)
    }

    async fn cancel_charge(&self, gateway_ref: &str) -> Result<(), GatewayError> {
        self.check_up()?;
        let mut charges = self.charges();
        let c =
            charges.get_mut(gateway_ref).ok_or_else(|| GatewayError::Rejected(format!("no charge {gateway_ref}")))?;
        match c.status {
            ChargeStatus::Succeeded => Err(GatewayError::Rejected("the charge was paid already".into())),
            ChargeStatus::Failed => Ok(()),
            ChargeStatus::Pending => {
                c.status = ChargeStatus::Failed;
                c.failure_reason = Some("cancelled by the merchant".into());
                Ok(())
            }
        }
    }
}
