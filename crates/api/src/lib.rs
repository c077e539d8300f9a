//! The HTTP API of Dabba. [`app`] builds the whole router from an [`AppState`], so tests and the
//! binary start it the same way, on any listener ([`serve`]).

pub mod admin;
pub mod auth;
pub mod cart;
pub mod catalog;
mod contract;
pub mod dead_letters;
pub mod delivery;
pub mod demo;
pub mod discovery;
pub mod edge;
pub mod error;
pub mod events;
pub mod extract;
mod health;
pub mod housekeeping;
pub mod idempotency;
mod limits;
mod links;
pub mod metrics;
pub mod notifications;
pub mod observe;
pub mod offers;
pub mod orders;
pub mod payments;
pub mod ratings;
pub mod users;
pub mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, Uri};
use axum::response::IntoResponse;
use dabba_store::Store;
use error::ApiError;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

pub use auth::token::TokenKeys;

/// Largest accepted request body. Menus are edited an item at a time, so 64 KiB is plenty.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub tokens: Arc<TokenKeys>,
    pub metrics: Arc<metrics::Metrics>,
    /// The listing read model.
    /// Listings, search and autocomplete.
    pub discovery: Arc<discovery::Discovery>,
    /// Delivers outbox events to in-process subscribers.
    pub relay: Arc<events::Relay>,
    pub pricing: Arc<dabba_domain::pricing::PricingConfig>,
    pub ordering: Arc<orders::OrderingConfig>,
    /// Recently seen sessions (see `auth::sessions`).
    pub sessions: Arc<auth::sessions::SessionCache>,
    /// The gateway, its breaker and payments settings.
    pub payments: Arc<payments::Payments>,
    /// Riders' live state, dispatch, tracking.
    pub delivery: Arc<delivery::Delivery>,
    /// Deadlines, the in-flight cap and rate limits.
    pub edge: Arc<edge::Edge>,
    /// How long old rows are kept.
    pub retention: Arc<housekeeping::RetentionConfig>,
    /// Restaurants' live order feeds (`WS /ws/kitchen`).
    pub kitchen: Arc<orders::feed::KitchenFeed>,
    /// The demo accounts, when serving the demo city.
    pub demo: Option<Arc<demo::DemoAccounts>>,
}

impl AppState {
    /// Builds the state with default pricing and ordering settings, loading the listing index.
    pub async fn load(store: Arc<dyn Store>, tokens: TokenKeys) -> Result<Self, dabba_store::StoreError> {
        Self::with_settings(
            store,
            tokens,
            Default::default(),
            Default::default(),
            Default::default(),
            Default::default(),
        )
        .await
    }

    /// Builds the state, loading the listing index and subscribing the in-process consumers.
    pub async fn with_settings(
        store: Arc<dyn Store>,
        tokens: TokenKeys,
        pricing: dabba_domain::pricing::PricingConfig,
        ordering: orders::OrderingConfig,
        payments: payments::PaymentsConfig,
        delivery: delivery::DeliveryConfig,
    ) -> Result<Self, dabba_store::StoreError> {
        let discovery = discovery::Discovery::load(store.clone(), |done, total| {
            if done % 1_000_000 == 0 || done == total {
                tracing::info!(done, total, "discovery index: dishes read (total estimated)");
            }
        })
        .await?;
        Ok(Self::assemble(store, tokens, pricing, ordering, payments, delivery, discovery))
    }

    /// Default settings around a discovery index built by the caller (benchmarks time it).
    pub fn with_index(store: Arc<dyn Store>, tokens: TokenKeys, discovery: Arc<discovery::Discovery>) -> Self {
        Self::assemble(
            store,
            tokens,
            Default::default(),
            Default::default(),
            Default::default(),
            Default::default(),
            discovery,
        )
    }

    fn assemble(
        store: Arc<dyn Store>,
        tokens: TokenKeys,
        pricing: dabba_domain::pricing::PricingConfig,
        ordering: orders::OrderingConfig,
        payments: payments::PaymentsConfig,
        delivery: delivery::DeliveryConfig,
        discovery: Arc<discovery::Discovery>,
    ) -> Self {
        let relay = events::Relay::new(store.clone());
        relay.subscribe(Arc::new(notifications::Inbox { store: store.clone() }));
        relay.subscribe(Arc::new(discovery::follower::CatalogFollower::new(discovery.clone())));
        let delivery = Arc::new(delivery::Delivery::new(delivery));
        relay.subscribe(Arc::new(delivery::DeliveryFollower { store: store.clone(), delivery: delivery.clone() }));
        let kitchen = Arc::new(orders::feed::KitchenFeed::default());
        relay.subscribe(Arc::new(orders::feed::KitchenFollower { feed: kitchen.clone() }));
        Self {
            store,
            tokens: Arc::new(tokens),
            metrics: Arc::default(),
            discovery,
            relay,
            pricing: Arc::new(pricing),
            ordering: Arc::new(ordering),
            sessions: Arc::default(),
            payments: Arc::new(payments::Payments::new(payments)),
            delivery,
            edge: Arc::new(edge::Edge::new(edge::EdgeConfig::default())),
            retention: Arc::default(),
            kitchen,
            demo: None,
        }
    }

    /// The same state, serving the demo city's accounts at `GET /api/v1/demo`.
    pub fn with_demo(mut self, accounts: demo::DemoAccounts) -> Self {
        self.demo = Some(Arc::new(accounts));
        self
    }

    /// The same state with other retention and event-retry settings.
    pub fn with_housekeeping(mut self, relay: events::RelayConfig, retention: housekeeping::RetentionConfig) -> Self {
        self.relay.configure(relay);
        self.retention = Arc::new(retention);
        self
    }

    /// The same state with other edge settings (timeouts, limits).
    pub fn with_edge(mut self, config: edge::EdgeConfig) -> Self {
        self.edge = Arc::new(edge::Edge::new(config));
        self
    }
}

/// How often timers look for orders nobody moves.
pub const TIMER_PERIOD: std::time::Duration = std::time::Duration::from_secs(5);

#[derive(OpenApi)]
#[openapi(
    info(title = "Dabba API", description = "Open-source food delivery platform. Money is integer paise; times are RFC 3339 UTC."),
    modifiers(&BearerAuth),
    components(schemas(error::ErrorBody, payments::support::PaymentState, payments::support::RefundState))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(users::router())
        .merge(catalog::router())
        .merge(discovery::router())
        .merge(admin::router())
        .merge(dead_letters::router())
        .merge(demo::router())
        .merge(cart::router())
        .merge(offers::router())
        .merge(orders::router())
        .merge(ratings::router())
        .merge(notifications::router())
        .merge(payments::router())
        .merge(delivery::router())
}

/// The OpenAPI document: generated from the handlers, completed by `contract`.
pub fn openapi() -> serde_json::Value {
    contract::complete(api_routes().split_for_parts().1)
}

async fn not_found(method: Method, uri: Uri) -> impl IntoResponse {
    ApiError::Status {
        status: axum::http::StatusCode::NOT_FOUND,
        code: "NOT_FOUND",
        message: format!("no endpoint {method} {}", uri.path()),
    }
}

async fn method_not_allowed(method: Method, uri: Uri) -> impl IntoResponse {
    ApiError::Status {
        status: axum::http::StatusCode::METHOD_NOT_ALLOWED,
        code: "METHOD_NOT_ALLOWED",
        message: format!("{} does not accept {method}", uri.path()),
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    ApiError::Internal("handler panicked".into()).into_response()
}

/// The whole application: API, docs, operations endpoints, middleware.
pub fn app(state: AppState) -> Router {
    let (router, doc) = api_routes().split_for_parts();
    let doc = contract::complete(doc);
    router
        .merge(SwaggerUi::new("/api/docs").external_url_unchecked("/api/openapi.json", doc))
        .merge(payments::pages())
        .merge(delivery::sockets())
        .merge(web::routes())
        .route_layer(axum::middleware::from_fn(observe::tag_route))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), edge::guard))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe::observe))
        .with_state(state)
}

/// Serves the app on `listener` until `shutdown` completes, then lets in-flight requests finish.
/// The listing index follows the catalog meanwhile.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let (Some(sandbox), Ok(addr)) = (state.payments.sandbox.as_ref(), listener.local_addr()) {
        // The sandbox's webhooks come back to this server, over loopback when it listens on
        // every interface.
        let host =
            if addr.ip().is_unspecified() { std::net::SocketAddr::from(([127, 0, 0, 1], addr.port())) } else { addr };
        sandbox.set_callback_base(&format!("http://{host}"));
    }
    let mut background = vec![
        state.discovery.follow(),
        state.relay.spawn(),
        orders::timers::spawn(state.clone(), TIMER_PERIOD),
        payments::timers::spawn(state.clone(), TIMER_PERIOD),
        housekeeping::spawn(state.clone()),
    ];
    background.extend(delivery::spawn(state.clone()));
    let service = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, service).with_graceful_shutdown(shutdown).await;
    for task in background {
        task.abort();
    }
    served
}
