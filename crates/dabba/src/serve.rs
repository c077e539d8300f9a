//! Starting the server: logging, the store, the demo city, the listener, graceful shutdown.

use crate::config::Settings;
use crate::seed;
use anyhow::{Context, Result, anyhow, bail};
use dabba_api::{AppState, TokenKeys};
use dabba_domain::{Email, Password, PersonName, Phone, Role};
use dabba_store::Store;
use dabba_store::model::{NewUser, User};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub fn init_logging(settings: &Settings) -> Result<()> {
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::filter::Targets::from_str(&settings.log)
        .map_err(|e| anyhow!("log filter {:?}: {e}", settings.log))?;
    let registry = tracing_subscriber::registry().with(filter);
    if settings.log_json {
        registry.with(tracing_subscriber::fmt::layer().json().with_writer(std::io::stderr)).init();
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
        registry.with(tracing_subscriber::fmt::layer().with_ansi(ansi).with_writer(std::io::stderr)).init();
    }
    Ok(())
}

/// Opens and migrates the configured database.
pub async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>> {
    let store = dabba_store::connect(settings.database_url.expose(), &settings.store_options())
        .await
        .with_context(|| format!("opening {}", settings.database_url))?;
    store.migrate().await.context("migrating the database")?;
    Ok(store)
}

pub async fn create_admin(
    store: &dyn Store,
    name: &str,
    phone: &str,
    password: &str,
    email: Option<&str>,
) -> Result<User> {
    let name = PersonName::parse("name", name)?;
    let phone = Phone::parse("phone", phone)?;
    let password = Password::parse("password", password)?;
    let email = email.map(|e| Email::parse("email", e)).transpose()?;
    let hash = dabba_api::auth::password::hash_now(password.expose()).map_err(|e| anyhow!("{e}"))?;
    let user = store
        .create_user(NewUser {
            user_id: uuid::Uuid::now_v7(),
            name: name.into_inner(),
            phone: phone.into_inner(),
            email: email.map(Email::into_inner),
            password_hash: hash,
            role: Role::Admin,
            approved: true,
        })
        .await?;
    Ok(user)
}

/// The demo city: small enough to seed in a few seconds, big enough to browse.
const DEMO: seed::Plan = seed::Plan { restaurants: 400, customers: 50, riders: 30, seed: 42 };

/// Seeds the demo city if it is not there; its accounts, unless the database holds another city.
async fn seed_demo(store: &dyn Store) -> Result<Option<dabba_api::demo::DemoAccounts>> {
    let admin_phone = seed::phone(Role::Admin, DEMO.seed, 0);
    let customer_phone = seed::phone(Role::Customer, DEMO.seed, 0);
    let has = |phone: String| async move { store.user_for_login(Some(&phone), None).await.map(|u| u.is_some()) };
    if store.restaurant_count().await? == 0 {
        // One transaction: an interrupted start leaves no half city behind.
        store.seed(&seed::whole_city(DEMO)?).await.context("seeding the demo city")?;
    } else if !has(customer_phone.clone()).await? {
        println!("demo: the database already has restaurants of its own; not seeding");
        return Ok(None);
    }
    if !has(admin_phone.clone()).await? {
        create_admin(store, "Demo Admin", &admin_phone, seed::DEMO_PASSWORD, None).await?;
    } else {
        println!("demo: the demo city is already there; not seeding again");
    }
    let (lat, lng) = seed::CENTRE;
    println!("\ndemo city ready; every account's password is {:?}", seed::DEMO_PASSWORD);
    println!("  customer    {customer_phone}");
    println!("  restaurant  {}", seed::phone(Role::Restaurant, DEMO.seed, 0));
    println!("  rider       {}", seed::phone(Role::Delivery, DEMO.seed, 0));
    println!("  admin       {admin_phone}");
    println!("  try: curl 'http://HOST/api/v1/restaurants?lat={lat}&lng={lng}'\n");
    let mut accounts = Vec::new();
    for role in [Role::Customer, Role::Restaurant, Role::Delivery, Role::Admin] {
        let phone = seed::phone(role, DEMO.seed, 0);
        if let Some((u, _)) = store.user_for_login(Some(&phone), None).await? {
            accounts.push(dabba_api::demo::DemoAccount { role, name: u.name, phone });
        }
    }
    Ok(Some(dabba_api::demo::DemoAccounts { password: seed::DEMO_PASSWORD.into(), accounts, centre: [lat, lng] }))
}

/// The gateway for card and UPI: the sandbox only when chosen (or for the demo), and never on a
/// production or clustered node unless forced.
fn gateway_choice(settings: &Settings, demo: bool, backend: &str) -> Result<dabba_api::payments::GatewayChoice> {
    use dabba_api::payments::GatewayChoice;
    let sandbox = settings.sandbox_gateway.unwrap_or(demo);
    let clustered = backend == "postgres";
    if sandbox && (settings.production || clustered) && !settings.allow_sandbox {
        bail!(
            "the sandbox payment gateway takes no real money: refusing to start it on a {} node \
             (set allow_sandbox = true for a staging cluster)",
            if settings.production { "production" } else { "PostgreSQL (cluster)" }
        );
    }
    if !sandbox {
        tracing::info!("no payment gateway configured: card and UPI are off, cash and wallet work");
    }
    Ok(if sandbox { GatewayChoice::Sandbox } else { GatewayChoice::Off })
}

pub async fn serve(settings: Settings, demo: bool) -> Result<()> {
    let store = open_store(&settings).await?;
    let gateway = gateway_choice(&settings, demo, store.backend())?;
    if store.backend() == "sqlite" {
        // One node owns an embedded database: a key still claimed belongs to a request that
        // died with the previous process, and its retry should run now, not in a minute.
        let released = store.release_unfinished_keys().await?;
        if released > 0 {
            tracing::info!(released, "gave back the idempotency keys of requests the last run did not finish");
        }
    }
    let demo_accounts = if demo { seed_demo(store.as_ref()).await? } else { None };
    let token_secret = settings.token_secret()?;
    let tokens = TokenKeys::new(&token_secret, Duration::from_secs(settings.token_ttl_hours * 3600));
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("listening on {}", settings.listen))?;
    let addr = listener.local_addr()?;
    let shutdown = shutdown_signal()?;
    let ordering = dabba_api::orders::OrderingConfig {
        accept_within: time::Duration::minutes(settings.accept_timeout_minutes),
        key_stale_after: time::Duration::seconds(settings.idempotency_stale_seconds),
        ..Default::default()
    };
    let payments = dabba_api::payments::PaymentsConfig {
        window: time::Duration::minutes(settings.payment_window_minutes),
        webhook_secret: settings.webhook_secret(&token_secret),
        payout: settings.payout,
        gateway,
        ..Default::default()
    };
    let mut state = AppState::with_settings(
        store.clone(),
        tokens,
        settings.pricing.clone(),
        ordering,
        payments,
        settings.delivery.clone(),
    )
    .await
    .context("loading the listing index")?
    .with_edge(settings.edge.clone())
    .with_housekeeping(settings.relay.clone(), settings.retention.clone());
    if let Some(accounts) = demo_accounts {
        state = state.with_demo(accounts);
    }
    {
        let index = state.discovery.read();
        tracing::info!(
            restaurants = index.len(),
            dishes = index.dish_count(),
            words = index.vocabulary(),
            "discovery index loaded"
        );
    }
    tracing::info!(%addr, database = %settings.database_url, backend = store.backend(), "dabba is serving");
    println!("dabba is serving on http://{addr} (the web app at /, the API docs at /api/docs)");
    dabba_api::serve(listener, state, shutdown).await?;
    tracing::info!("in-flight requests finished; closing the database");
    store.close().await;
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed when this is called, not
/// when the future is first polled, so a signal that arrives right after start-up is not lost
/// (it would otherwise kill the process with in-flight requests).
#[cfg(unix)]
pub fn shutdown_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        tracing::info!("shutdown requested; finishing in-flight requests");
    })
}

#[cfg(not(unix))]
pub fn shutdown_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
