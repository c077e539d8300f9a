//! Configuration, layered: defaults → `dabba.toml` (or `--config FILE`) → `DABBA_*` environment →
//! command-line flags. Clap merges the last two (a flag beats its variable); the file fills what
//! both left empty; defaults fill the rest.

use anyhow::{Context, Result, bail};
use clap::Args;
use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Settings every subcommand accepts. Deliberately not `Debug`: it holds raw secrets until
/// [`ConfigArgs::resolve`] wraps them.
#[derive(Clone, Default, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigArgs {
    /// Configuration file [default: ./dabba.toml if present].
    #[arg(long, global = true, env = "DABBA_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, global = true, env = "DABBA_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// sqlite://FILE or postgres://… [default: sqlite://dabba.db].
    #[arg(long, global = true, env = "DABBA_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Secret that signs tokens (every node of a cluster needs the same one). Embedded mode
    /// generates one and keeps it next to the database file.
    #[arg(long, global = true, env = "DABBA_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Hours a login token stays valid [default: 24].
    #[arg(long, global = true, env = "DABBA_TOKEN_TTL_HOURS")]
    pub token_ttl_hours: Option<u64>,
    /// Database connections per node [default: 16].
    #[arg(long, global = true, env = "DABBA_DB_MAX_CONNECTIONS")]
    pub db_max_connections: Option<u32>,
    /// SQLite: fsync every commit (survives power loss) [default: true].
    #[arg(long, global = true, env = "DABBA_SQLITE_DURABLE")]
    pub sqlite_durable: Option<bool>,
    /// Delivery fee slabs `km:paise,…` in increasing distance [default: 2:2000,5:3500,8:5000,15:7000].
    #[arg(long, global = true, env = "DABBA_DELIVERY_FEE_SLABS")]
    pub delivery_fee_slabs: Option<String>,
    /// Packaging fee per order, paise [default: 1500].
    #[arg(long, global = true, env = "DABBA_PACKAGING_FEE")]
    pub packaging_fee: Option<i64>,
    /// Tax on food in basis points (500 = 5%) [default: 500].
    #[arg(long, global = true, env = "DABBA_TAX_RATE_BP")]
    pub tax_rate_bp: Option<i64>,
    /// Minutes a restaurant has to accept a confirmed order before it is cancelled [default: 10].
    #[arg(long, global = true, env = "DABBA_ACCEPT_TIMEOUT_MINUTES")]
    pub accept_timeout_minutes: Option<i64>,
    /// Seconds after which an Idempotency-Key claimed by a request that never answered is taken
    /// over by its retry [default: 60].
    #[arg(long, global = true, env = "DABBA_IDEMPOTENCY_STALE_SECONDS")]
    pub idempotency_stale_seconds: Option<i64>,
    /// Minutes an order waits for card/UPI payment before it is cancelled [default: 15].
    #[arg(long, global = true, env = "DABBA_PAYMENT_WINDOW_MINUTES")]
    pub payment_window_minutes: Option<i64>,
    /// Restaurant commission on food, basis points (1800 = 18%) [default: 1800].
    #[arg(long, global = true, env = "DABBA_COMMISSION_BP")]
    pub commission_bp: Option<i64>,
    /// A rider's base pay per delivery, paise [default: 2500].
    #[arg(long, global = true, env = "DABBA_RIDER_BASE_PAY")]
    pub rider_base_pay: Option<i64>,
    /// A rider's pay per started km, paise [default: 700].
    #[arg(long, global = true, env = "DABBA_RIDER_PAY_PER_KM")]
    pub rider_pay_per_km: Option<i64>,
    /// Secret shared with the payment gateway for webhook signatures [default: derived from
    /// the token secret].
    #[arg(long, global = true, env = "DABBA_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Seconds a rider has to answer a delivery offer [default: 30].
    #[arg(long, global = true, env = "DABBA_OFFER_TIMEOUT_SECONDS")]
    pub offer_timeout_seconds: Option<u64>,
    /// Who chooses riders: `batch` (every due order matched at once) or `greedy` (each order
    /// in turn to its soonest pickup) [default: batch].
    #[arg(long, global = true, env = "DABBA_DISPATCH_POLICY")]
    pub dispatch_policy: Option<DispatchPolicyName>,
    /// Batch dispatch offers an order once its rider would need to set off within this many
    /// seconds [default: 900].
    #[arg(long, global = true, env = "DABBA_DISPATCH_LEAD_SECONDS")]
    pub dispatch_lead_seconds: Option<u64>,
    /// Seconds between the route points kept per rider [default: 15].
    #[arg(long, global = true, env = "DABBA_LOCATION_HISTORY_SECONDS")]
    pub location_history_seconds: Option<u64>,
    /// Seconds without a fix after which a rider is not offered work [default: 120].
    #[arg(long, global = true, env = "DABBA_RIDER_MAX_SILENCE_SECONDS")]
    pub rider_max_silence_seconds: Option<u64>,
    /// Days the route history is kept for disputes [default: 30].
    #[arg(long, global = true, env = "DABBA_LOCATION_RETENTION_DAYS")]
    pub location_retention_days: Option<i64>,
    /// Tries of a domain event by a failing subscriber before it is parked as a dead letter
    /// [default: 8].
    #[arg(long, global = true, env = "DABBA_EVENT_MAX_ATTEMPTS")]
    pub event_max_attempts: Option<u32>,
    /// Milliseconds before a failing subscriber's second try; doubles per try, up to 5 minutes
    /// [default: 1000].
    #[arg(long, global = true, env = "DABBA_EVENT_RETRY_BASE_MS")]
    pub event_retry_base_ms: Option<u64>,
    /// Days relayed domain events are kept [default: 7].
    #[arg(long, global = true, env = "DABBA_EVENT_RETENTION_DAYS")]
    pub event_retention_days: Option<i64>,
    /// Days a session is kept after it expires [default: 7].
    #[arg(long, global = true, env = "DABBA_SESSION_RETENTION_DAYS")]
    pub session_retention_days: Option<i64>,
    /// Days gateway webhook ids are kept to refuse replays [default: 30].
    #[arg(long, global = true, env = "DABBA_GATEWAY_EVENT_RETENTION_DAYS")]
    pub gateway_event_retention_days: Option<i64>,
    /// Days inbox messages are kept, read or not [default: 90].
    #[arg(long, global = true, env = "DABBA_NOTIFICATION_RETENTION_DAYS")]
    pub notification_retention_days: Option<i64>,
    /// Seconds a request may take before it is stopped with 503 [default: 30].
    #[arg(long, global = true, env = "DABBA_REQUEST_TIMEOUT_SECONDS")]
    pub request_timeout_seconds: Option<u64>,
    /// Requests handled at once per node; more get 503 at once [default: 2048].
    #[arg(long, global = true, env = "DABBA_MAX_IN_FLIGHT")]
    pub max_in_flight: Option<usize>,
    /// Logins per minute per client address [default: 30].
    #[arg(long, global = true, env = "DABBA_LIMIT_LOGIN_PER_IP")]
    pub limit_login_per_ip: Option<u32>,
    /// Logins per minute per account [default: 5].
    #[arg(long, global = true, env = "DABBA_LIMIT_LOGIN_PER_ACCOUNT")]
    pub limit_login_per_account: Option<u32>,
    /// Registrations per minute per client address [default: 10].
    #[arg(long, global = true, env = "DABBA_LIMIT_REGISTER_PER_IP")]
    pub limit_register_per_ip: Option<u32>,
    /// Delivery-code tries per minute per rider [default: 10].
    #[arg(long, global = true, env = "DABBA_LIMIT_OTP_PER_RIDER")]
    pub limit_otp_per_rider: Option<u32>,
    /// Offer-code checks per minute per customer (or address, signed out) [default: 30].
    #[arg(long, global = true, env = "DABBA_LIMIT_OFFER_CHECKS_PER_USER")]
    pub limit_offer_checks_per_user: Option<u32>,
    /// Behind a load balancer: the header holding the client's address, e.g. `x-forwarded-for`
    /// (only if the balancer sets it; clients could forge it otherwise) [default: the peer].
    #[arg(long, global = true, env = "DABBA_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
    /// Sandbox pay-page submissions per minute per client address [default: 20].
    #[arg(long, global = true, env = "DABBA_LIMIT_PAY_PAGE_PER_IP")]
    pub limit_pay_page_per_ip: Option<u32>,
    /// The gateway for card and UPI: `sandbox` (the built-in test gateway) or `none` (cash and
    /// wallet only) [default: none; `--demo` uses the sandbox].
    #[arg(long, global = true, env = "DABBA_PAYMENT_GATEWAY")]
    pub payment_gateway: Option<String>,
    /// A production node: refuses to start with the sandbox gateway [default: false].
    #[arg(long, global = true, env = "DABBA_PRODUCTION")]
    pub production: Option<bool>,
    /// Start with the sandbox even in production or cluster mode (a staging cluster) [default: false].
    #[arg(long, global = true, env = "DABBA_ALLOW_SANDBOX")]
    pub allow_sandbox: Option<bool>,
    /// Log filter, e.g. `info` or `warn,dabba_api=debug` [default: info].
    #[arg(long, global = true, env = "DABBA_LOG")]
    pub log: Option<String>,
    /// Log lines as `text` or `json` [default: text].
    #[arg(long, global = true, env = "DABBA_LOG_FORMAT")]
    pub log_format: Option<String>,
}

/// The shortest signing secret accepted: 32 characters (256 bits as hex is 64).
const MIN_SECRET_LEN: usize = 32;

/// Longer-lived tokens are a liability; a year is already generous.
const MAX_TOKEN_TTL_HOURS: u64 = 24 * 365;

/// A value that never shows in logs or `Debug` output.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A database URL whose `Debug`/`Display` hide the password.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The database file of a `sqlite:` URL.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.0.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }

    /// Hides a password given as `user:password@` or as a `password=` query parameter.
    fn redacted(&self) -> String {
        let (base, query) = match self.0.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (self.0.as_str(), None),
        };
        let base = match (base.find("://"), base.rfind('@')) {
            (Some(s), Some(at)) if at > s => match base[s + 3..at].split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &base[..s], &base[at..]),
                None => base.to_owned(),
            },
            _ => base.to_owned(),
        };
        match query {
            None => base,
            Some(q) => {
                let params: Vec<String> = q
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                        _ => kv.to_owned(),
                    })
                    .collect();
                format!("{base}?{}", params.join("&"))
            }
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: DatabaseUrl,
    pub jwt_secret: Option<Secret>,
    pub token_ttl_hours: u64,
    pub db_max_connections: u32,
    pub sqlite_durable: bool,
    pub log: String,
    pub log_json: bool,
    pub pricing: dabba_domain::pricing::PricingConfig,
    pub accept_timeout_minutes: i64,
    pub idempotency_stale_seconds: i64,
    pub payment_window_minutes: i64,
    pub payout: dabba_domain::ledger::PayoutTerms,
    pub webhook_secret: Option<Secret>,
    pub delivery: dabba_api::delivery::DeliveryConfig,
    pub edge: dabba_api::edge::EdgeConfig,
    pub relay: dabba_api::events::RelayConfig,
    pub retention: dabba_api::housekeeping::RetentionConfig,
    /// `Some(true)`: the sandbox was chosen; `Some(false)`: none; `None`: not said.
    pub sandbox_gateway: Option<bool>,
    pub production: bool,
    pub allow_sandbox: bool,
}

/// Parses `km:paise,km:paise,…` with increasing distances.
fn slabs(text: &str) -> Result<Vec<(f64, i64)>> {
    let mut out: Vec<(f64, i64)> = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (km, fee) =
            part.split_once(':').with_context(|| format!("delivery_fee_slabs: {part:?} is not km:paise"))?;
        let km: f64 = km.trim().parse().with_context(|| format!("delivery_fee_slabs: bad distance {km:?}"))?;
        let fee: i64 = fee.trim().parse().with_context(|| format!("delivery_fee_slabs: bad fee {fee:?}"))?;
        if !km.is_finite() || km <= 0.0 || fee < 0 || out.last().is_some_and(|(k, _)| *k >= km) {
            bail!("delivery_fee_slabs: distances must increase and fees must not be negative");
        }
        out.push((km, fee));
    }
    if out.is_empty() {
        bail!("delivery_fee_slabs: give at least one km:paise slab");
    }
    Ok(out)
}

impl ConfigArgs {
    /// Applies the file layer under these (flag/env) values, then defaults.
    pub fn resolve(self) -> Result<Settings> {
        let file = match &self.config {
            Some(path) => read_file(path)?,
            None if Path::new("dabba.toml").exists() => read_file(Path::new("dabba.toml"))?,
            None => ConfigArgs::default(),
        };
        let log_format = self.log_format.or(file.log_format).unwrap_or_else(|| "text".into());
        if log_format != "text" && log_format != "json" {
            bail!("log_format must be `text` or `json`, not {log_format:?}");
        }
        let ttl = self.token_ttl_hours.or(file.token_ttl_hours).unwrap_or(24);
        if !(1..=MAX_TOKEN_TTL_HOURS).contains(&ttl) {
            bail!("token_ttl_hours must be between 1 and {MAX_TOKEN_TTL_HOURS} (a year)");
        }
        let mut pricing = dabba_domain::pricing::PricingConfig::default();
        if let Some(text) = self.delivery_fee_slabs.or(file.delivery_fee_slabs) {
            pricing.delivery_slabs = slabs(&text)?;
        }
        if let Some(fee) = self.packaging_fee.or(file.packaging_fee) {
            if !(0..=100_000).contains(&fee) {
                bail!("packaging_fee must be between 0 and 100000 paise");
            }
            pricing.packaging_fee = fee;
        }
        if let Some(bp) = self.tax_rate_bp.or(file.tax_rate_bp) {
            if !(0..=5_000).contains(&bp) {
                bail!("tax_rate_bp must be between 0 and 5000 (50%)");
            }
            pricing.tax_rate_bp = bp;
        }
        let accept_timeout_minutes = self.accept_timeout_minutes.or(file.accept_timeout_minutes).unwrap_or(10);
        if !(1..=240).contains(&accept_timeout_minutes) {
            bail!("accept_timeout_minutes must be between 1 and 240");
        }
        let idempotency_stale_seconds = self.idempotency_stale_seconds.or(file.idempotency_stale_seconds).unwrap_or(60);
        if !(1..=3_600).contains(&idempotency_stale_seconds) {
            bail!("idempotency_stale_seconds must be between 1 and 3600");
        }
        let payment_window_minutes = self.payment_window_minutes.or(file.payment_window_minutes).unwrap_or(15);
        if !(1..=120).contains(&payment_window_minutes) {
            bail!("payment_window_minutes must be between 1 and 120");
        }
        let mut payout = dabba_domain::ledger::PayoutTerms::default();
        if let Some(bp) = self.commission_bp.or(file.commission_bp) {
            if !(0..=10_000).contains(&bp) {
                bail!("commission_bp must be between 0 and 10000 (100%)");
            }
            payout.commission_bp = bp;
        }
        for (value, name, slot) in [
            (self.rider_base_pay.or(file.rider_base_pay), "rider_base_pay", &mut payout.rider_base),
            (self.rider_pay_per_km.or(file.rider_pay_per_km), "rider_pay_per_km", &mut payout.rider_per_km),
        ] {
            if let Some(v) = value {
                if !(0..=1_000_000).contains(&v) {
                    bail!("{name} must be between 0 and 1000000 paise");
                }
                *slot = v;
            }
        }
        let mut delivery = dabba_api::delivery::DeliveryConfig::default();
        if let Some(secs) = self.offer_timeout_seconds.or(file.offer_timeout_seconds) {
            if !(5..=600).contains(&secs) {
                bail!("offer_timeout_seconds must be between 5 and 600");
            }
            delivery.dispatch.offer_timeout = std::time::Duration::from_secs(secs);
        }
        if let Some(name) = self.dispatch_policy.or(file.dispatch_policy) {
            delivery.dispatch.policy = match name {
                DispatchPolicyName::Batch => dabba_api::delivery::dispatch::Policy::Batch,
                DispatchPolicyName::Greedy => dabba_api::delivery::dispatch::Policy::Greedy,
            };
        }
        if let Some(secs) = self.dispatch_lead_seconds.or(file.dispatch_lead_seconds) {
            if secs > 86_400 {
                bail!("dispatch_lead_seconds must be between 0 and 86400");
            }
            delivery.dispatch.lead = std::time::Duration::from_secs(secs);
        }
        if let Some(secs) = self.location_history_seconds.or(file.location_history_seconds) {
            if !(1..=3_600).contains(&secs) {
                bail!("location_history_seconds must be between 1 and 3600");
            }
            delivery.history_every = std::time::Duration::from_secs(secs);
        }
        if let Some(secs) = self.rider_max_silence_seconds.or(file.rider_max_silence_seconds) {
            if !(10..=3_600).contains(&secs) {
                bail!("rider_max_silence_seconds must be between 10 and 3600");
            }
            delivery.max_silence = std::time::Duration::from_secs(secs);
        }
        if let Some(days) = self.location_retention_days.or(file.location_retention_days) {
            if !(1..=3_650).contains(&days) {
                bail!("location_retention_days must be between 1 and 3650");
            }
            delivery.history_retention = time::Duration::days(days);
        }
        let mut relay = dabba_api::events::RelayConfig::default();
        if let Some(n) = self.event_max_attempts.or(file.event_max_attempts) {
            if !(1..=100).contains(&n) {
                bail!("event_max_attempts must be between 1 and 100");
            }
            relay.max_attempts = n;
        }
        if let Some(ms) = self.event_retry_base_ms.or(file.event_retry_base_ms) {
            if !(1..=300_000).contains(&ms) {
                bail!("event_retry_base_ms must be between 1 and 300000 (the longest wait)");
            }
            relay.retry_base = std::time::Duration::from_millis(ms);
        }
        let mut retention = dabba_api::housekeeping::RetentionConfig::default();
        for (value, name, slot) in [
            (
                self.event_retention_days.or(file.event_retention_days),
                "event_retention_days",
                &mut retention.relayed_events,
            ),
            (
                self.session_retention_days.or(file.session_retention_days),
                "session_retention_days",
                &mut retention.sessions,
            ),
            (
                self.gateway_event_retention_days.or(file.gateway_event_retention_days),
                "gateway_event_retention_days",
                &mut retention.gateway_events,
            ),
            (
                self.notification_retention_days.or(file.notification_retention_days),
                "notification_retention_days",
                &mut retention.notifications,
            ),
        ] {
            if let Some(days) = value {
                if !(1..=3_650).contains(&days) {
                    bail!("{name} must be between 1 and 3650");
                }
                *slot = time::Duration::days(days);
            }
        }
        let mut edge = dabba_api::edge::EdgeConfig::default();
        if let Some(secs) = self.request_timeout_seconds.or(file.request_timeout_seconds) {
            if !(1..=600).contains(&secs) {
                bail!("request_timeout_seconds must be between 1 and 600");
            }
            edge.request_timeout = std::time::Duration::from_secs(secs);
        }
        if let Some(n) = self.max_in_flight.or(file.max_in_flight) {
            if !(1..=1_000_000).contains(&n) {
                bail!("max_in_flight must be between 1 and 1000000");
            }
            edge.max_in_flight = n;
        }
        edge.client_ip_header = self
            .client_ip_header
            .or(file.client_ip_header)
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty());
        if let Some(h) = &edge.client_ip_header
            && axum::http::HeaderName::from_bytes(h.as_bytes()).is_err()
        {
            bail!("client_ip_header {h:?} is not a header name");
        }
        for (value, name, slot) in [
            (self.limit_login_per_ip.or(file.limit_login_per_ip), "limit_login_per_ip", &mut edge.login_per_ip),
            (
                self.limit_login_per_account.or(file.limit_login_per_account),
                "limit_login_per_account",
                &mut edge.login_per_account,
            ),
            (
                self.limit_register_per_ip.or(file.limit_register_per_ip),
                "limit_register_per_ip",
                &mut edge.register_per_ip,
            ),
            (self.limit_otp_per_rider.or(file.limit_otp_per_rider), "limit_otp_per_rider", &mut edge.otp_per_rider),
            (
                self.limit_offer_checks_per_user.or(file.limit_offer_checks_per_user),
                "limit_offer_checks_per_user",
                &mut edge.offer_checks_per_user,
            ),
            (
                self.limit_pay_page_per_ip.or(file.limit_pay_page_per_ip),
                "limit_pay_page_per_ip",
                &mut edge.pay_page_per_ip,
            ),
        ] {
            if let Some(v) = value {
                if v == 0 {
                    bail!("{name} must be at least 1 (a limit of 0 would lock everyone out)");
                }
                *slot = v;
            }
        }
        let sandbox_gateway = match self.payment_gateway.or(file.payment_gateway).as_deref() {
            None => None,
            Some("sandbox") => Some(true),
            Some("none") => Some(false),
            Some(other) => bail!("payment_gateway must be `sandbox` or `none`, not {other:?}"),
        };
        // A short secret can be guessed offline from one token or one webhook.
        let jwt_secret = self.jwt_secret.or(file.jwt_secret).filter(|s| !s.is_empty()).map(Secret);
        let webhook_secret = self.webhook_secret.or(file.webhook_secret).filter(|s| !s.is_empty()).map(Secret);
        for (name, secret) in [("jwt_secret", &jwt_secret), ("webhook_secret", &webhook_secret)] {
            if secret.as_ref().is_some_and(|s| s.expose().len() < MIN_SECRET_LEN) {
                bail!("{name} must be at least {MIN_SECRET_LEN} characters (e.g. `openssl rand -hex 32`)");
            }
        }
        Ok(Settings {
            sandbox_gateway,
            production: self.production.or(file.production).unwrap_or(false),
            allow_sandbox: self.allow_sandbox.or(file.allow_sandbox).unwrap_or(false),
            edge,
            relay,
            retention,
            delivery,
            pricing,
            accept_timeout_minutes,
            idempotency_stale_seconds,
            payment_window_minutes,
            payout,
            webhook_secret,
            listen: self.listen.or(file.listen).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            database_url: DatabaseUrl(
                self.database_url.or(file.database_url).unwrap_or_else(|| "sqlite://dabba.db".into()),
            ),
            jwt_secret,
            token_ttl_hours: ttl,
            db_max_connections: self.db_max_connections.or(file.db_max_connections).unwrap_or(16),
            sqlite_durable: self.sqlite_durable.or(file.sqlite_durable).unwrap_or(true),
            log: self.log.or(file.log).unwrap_or_else(|| "info".into()),
            log_json: log_format == "json",
        })
    }
}

fn read_file(path: &Path) -> Result<ConfigArgs> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

impl Settings {
    pub fn store_options(&self) -> dabba_store::StoreOptions {
        dabba_store::StoreOptions { max_connections: self.db_max_connections, sqlite_durable: self.sqlite_durable }
    }

    /// The token signing secret: configured, or (embedded mode) generated once and kept in a
    /// file next to the database, so tokens survive restarts.
    pub fn token_secret(&self) -> Result<Vec<u8>> {
        if let Some(s) = &self.jwt_secret {
            return Ok(s.expose().as_bytes().to_vec());
        }
        let Some(db) = self.database_url.sqlite_path() else {
            tracing::warn!(
                "no jwt_secret configured: using a random one; tokens end at restart and other nodes refuse them"
            );
            return random_secret();
        };
        let path = db.with_extension("secret");
        if let Ok(existing) = std::fs::read(&path)
            && existing.len() >= 32
        {
            return Ok(existing);
        }
        let secret = random_secret()?;
        write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
        Ok(secret)
    }
}

impl Settings {
    /// The webhook secret: configured, or derived from the token secret (so it survives
    /// restarts and is the same on every node without another setting).
    pub fn webhook_secret(&self, token_secret: &[u8]) -> Vec<u8> {
        match &self.webhook_secret {
            Some(s) => s.expose().as_bytes().to_vec(),
            None => dabba_api::payments::signature::derive_secret(token_secret),
        }
    }
}

fn random_secret() -> Result<Vec<u8>> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect::<String>().into_bytes())
}

fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_file_beat_defaults() {
        let dir = std::env::temp_dir().join(format!("dabba-config-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("dabba.toml");
        std::fs::write(&file, "listen = \"127.0.0.1:9000\"\ntoken_ttl_hours = 2\nlog = \"debug\"\n").unwrap();
        let args = ConfigArgs { config: Some(file), log: Some("warn".into()), ..Default::default() };
        let s = args.resolve().unwrap();
        assert_eq!(s.listen.port(), 9000, "file beats default");
        assert_eq!(s.token_ttl_hours, 2);
        assert_eq!(s.log, "warn", "flag beats file");
        assert_eq!(s.database_url.expose(), "sqlite://dabba.db", "default");
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("dabba-config-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("dabba.toml");
        std::fs::write(&file, "lisen = \"127.0.0.1:9000\"\n").unwrap();
        let err = ConfigArgs { config: Some(file), ..Default::default() }.resolve().unwrap_err();
        assert!(format!("{err:#}").contains("lisen"), "{err:#}");
    }

    #[test]
    fn secrets_never_show() {
        let s = ConfigArgs {
            database_url: Some("postgres://app:hunter2@db.internal:5432/dabba".into()),
            jwt_secret: Some("topsecret-topsecret-topsecret-topsecret".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        let shown = format!("{s:?} {}", s.database_url);
        assert!(!shown.contains("hunter2") && !shown.contains("topsecret"), "{shown}");
        assert!(shown.contains("postgres://app:***@db.internal:5432/dabba"));
        let q = DatabaseUrl("postgres://app@db/dabba?sslmode=require&password=hunter2".into());
        assert_eq!(q.to_string(), "postgres://app@db/dabba?sslmode=require&password=***");
    }

    #[test]
    fn pricing_settings_are_checked() {
        let s = ConfigArgs {
            delivery_fee_slabs: Some("1:1000, 4:3000".into()),
            tax_rate_bp: Some(1200),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(s.pricing.delivery_slabs, vec![(1.0, 1000), (4.0, 3000)]);
        assert_eq!(s.pricing.tax_rate_bp, 1200);
        for bad in ["", "4:3000,1:1000", "x:1", "2:-5", "2"] {
            assert!(
                ConfigArgs { delivery_fee_slabs: Some(bad.into()), ..Default::default() }.resolve().is_err(),
                "{bad}"
            );
        }
        assert!(ConfigArgs { accept_timeout_minutes: Some(0), ..Default::default() }.resolve().is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        let short = ConfigArgs { jwt_secret: Some("hunter2".into()), ..Default::default() }.resolve();
        assert!(format!("{:#}", short.unwrap_err()).contains("at least 32"));
        assert!(ConfigArgs { webhook_secret: Some("x".repeat(31)), ..Default::default() }.resolve().is_err());
        assert!(ConfigArgs { webhook_secret: Some("x".repeat(32)), ..Default::default() }.resolve().is_ok());
    }

    #[test]
    fn retention_and_event_retries_are_settings() {
        let s = ConfigArgs {
            event_max_attempts: Some(3),
            event_retry_base_ms: Some(250),
            notification_retention_days: Some(30),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(s.relay.max_attempts, 3);
        assert_eq!(s.relay.retry_base, std::time::Duration::from_millis(250));
        assert_eq!(s.retention.notifications, time::Duration::days(30));
        assert_eq!(s.retention.relayed_events, time::Duration::days(7), "default");
        assert!(ConfigArgs { event_max_attempts: Some(0), ..Default::default() }.resolve().is_err());
        assert!(ConfigArgs { session_retention_days: Some(0), ..Default::default() }.resolve().is_err());
    }

    #[test]
    fn token_lifetime_is_bounded() {
        for bad in [0, MAX_TOKEN_TTL_HOURS + 1, u64::MAX] {
            assert!(ConfigArgs { token_ttl_hours: Some(bad), ..Default::default() }.resolve().is_err(), "{bad}");
        }
    }

    #[test]
    fn sqlite_secret_is_kept_next_to_the_database() {
        let dir = std::env::temp_dir().join(format!("dabba-secret-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("city.db").display());
        let s = ConfigArgs { database_url: Some(url), ..Default::default() }.resolve().unwrap();
        let first = s.token_secret().unwrap();
        assert_eq!(s.token_secret().unwrap(), first, "the same secret after a restart");
        assert!(dir.join("city.secret").exists());
    }
}

/// `--dispatch-policy`: who chooses riders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DispatchPolicyName {
    Batch,
    Greedy,
}
