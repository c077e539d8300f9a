//! Authentication: who is calling. Handlers take [`Auth`] (signed in) or [`MaybeAuth`]
//! (optional) and check roles and ownership themselves, against the object they touch.

pub mod password;
pub(crate) mod routes;
pub mod sessions;
pub mod token;

pub use routes::router;

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use dabba_domain::Role;
use token::TokenError;
use uuid::Uuid;

/// A signed-in caller whose session is live and who is not banned.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user_id: Uuid,
    /// The role as stored now (not as when the token was issued).
    pub role: Role,
    pub session_id: Uuid,
    /// When the token ends, Unix seconds.
    pub expires_at: i64,
}

impl Auth {
    /// Refuses callers without `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("only {} accounts can do this", role.as_str())))
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

fn unauthorized(m: &str) -> ApiError {
    ApiError::Unauthorized(m.to_owned())
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Auth>, ApiError> {
    let Some(header) = parts.headers.get(AUTHORIZATION) else { return Ok(None) };
    let token = header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("the Authorization header must be 'Bearer <token>'"))?;
    from_token(state, token).await.map(Some)
}

/// The caller a bearer token stands for (also used where a header cannot be sent: WebSockets).
pub async fn from_token(state: &AppState, token: &str) -> Result<Auth, ApiError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = state.tokens.verify(token.trim(), now).map_err(|e| match e {
        TokenError::Expired => unauthorized("your session has expired; log in again"),
        TokenError::Malformed | TokenError::BadSignature => unauthorized("the token is not valid; log in again"),
    })?;
    let principal = match state.sessions.get(claims.sid) {
        Some(p) => Some(p),
        None => {
            let found = state.store.session_principal(claims.sid).await?;
            if let Some(p) = &found {
                state.sessions.put(claims.sid, p.clone());
            }
            found
        }
    };
    let principal = principal
        .filter(|p| p.user_id == claims.sub)
        .ok_or_else(|| unauthorized("this session has ended; log in again"))?;
    if principal.is_banned {
        return Err(ApiError::Banned(principal.ban_reason.unwrap_or_else(|| "no reason given".into())));
    }
    Ok(Auth { user_id: principal.user_id, role: principal.role, session_id: claims.sid, expires_at: claims.exp })
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(parts, state)
            .await?
            .ok_or_else(|| unauthorized("sign in first: send Authorization: Bearer <token>"))
    }
}

/// A caller who may or may not be signed in; a token that is present must still be valid.
pub struct MaybeAuth(pub Option<Auth>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(parts, state).await.map(MaybeAuth)
    }
}

/// What an open socket holds of its caller's authority: it lapses when the token expires, the
/// session logs out or the user is banned (on this node; the socket then closes). A request
/// checks its token each time; a socket, which lives for hours, watches this instead.
pub struct Authority {
    user_id: Uuid,
    session_id: Uuid,
    expiry: std::pin::Pin<Box<tokio::time::Sleep>>,
    revoked: tokio::sync::broadcast::Receiver<sessions::Revoked>,
    store: std::sync::Arc<dyn dabba_store::Store>,
    /// Read the session from the store before trusting the broadcast: at the start (a logout
    /// between the token check and the subscription) and after missing messages.
    recheck: bool,
}

impl Authority {
    pub fn of(state: &AppState, auth: &Auth) -> Self {
        let left = auth.expires_at - time::OffsetDateTime::now_utc().unix_timestamp();
        Self {
            user_id: auth.user_id,
            session_id: auth.session_id,
            expiry: Box::pin(tokio::time::sleep(std::time::Duration::from_secs(left.max(0) as u64))),
            revoked: state.sessions.subscribe(),
            store: state.store.clone(),
            recheck: true,
        }
    }

    async fn still_valid(&self) -> bool {
        match self.store.session_principal(self.session_id).await {
            Ok(Some(p)) => p.user_id == self.user_id && !p.is_banned,
            Ok(None) => false,
            // The database is briefly unreachable: not a reason to cut a rider off.
            Err(_) => true,
        }
    }

    /// Completes (with the reason, for the close frame) when the authority ends. Cancel-safe:
    /// meant for a `select!` loop.
    pub async fn lapsed(&mut self) -> &'static str {
        use sessions::Revoked;
        use tokio::sync::broadcast::error::RecvError;
        loop {
            if self.recheck {
                // The flag drops only once the answer is in: a check cut short is done again.
                if !self.still_valid().await {
                    return "this session has ended; log in again";
                }
                self.recheck = false;
            }
            tokio::select! {
                _ = &mut self.expiry => return "the session expired; log in again",
                got = self.revoked.recv() => match got {
                    Ok(Revoked::Session(s)) if s == self.session_id => return "logged out",
                    Ok(Revoked::User(u)) if u == self.user_id => return "the account changed; log in again",
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => self.recheck = true,
                    Err(RecvError::Closed) => std::future::pending::<()>().await,
                },
            }
        }
    }
}

/// The frame that closes a socket whose authority lapsed (1008: policy violation).
pub fn lapsed_frame(reason: &'static str) -> axum::extract::ws::Message {
    axum::extract::ws::Message::Close(Some(axum::extract::ws::CloseFrame { code: 1008, reason: reason.into() }))
}
