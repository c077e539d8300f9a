//! Riders for the live scenarios, made straight through the store (the scenarios measure
//! delivery, not sign-up): a user, a session, a vehicle, a token. Also customers and admins.

use anyhow::Result;
use dabba_api::auth::token::Claims;
use dabba_api::{AppState, TokenKeys};
use dabba_domain::Role;
use dabba_domain::eta::Vehicle;
use dabba_store::model::NewUser;
use uuid::Uuid;

pub struct BenchUser {
    pub user_id: Uuid,
    pub token: String,
}

/// `n` users of `role` with a session each; riders also get a scooter.
pub async fn users(state: &AppState, keys: &TokenKeys, role: Role, n: usize) -> Result<Vec<BenchUser>> {
    let store = &state.store;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let user = store
            .create_user(NewUser {
                user_id: Uuid::now_v7(),
                name: "Bench User".into(),
                phone: format!("+1{:010}", Uuid::new_v4().as_u128() % 10_000_000_000),
                email: None,
                password_hash: "-".into(),
                role,
                approved: true,
            })
            .await?;
        if role == Role::Delivery {
            store.put_rider(user.user_id, Vehicle::Scooter, "KA01BENCH").await?;
        }
        let token = sign_in(state, keys, user.user_id, role).await?;
        out.push(BenchUser { user_id: user.user_id, token });
    }
    Ok(out)
}

/// A session of four hours for an existing user, and its token.
pub async fn sign_in(state: &AppState, keys: &TokenKeys, user_id: Uuid, role: Role) -> Result<String> {
    let session = Uuid::now_v7();
    let expires = time::OffsetDateTime::now_utc() + time::Duration::hours(4);
    state.store.create_session(session, user_id, expires).await?;
    Ok(keys.sign(&Claims {
        sub: user_id,
        sid: session,
        role,
        iat: time::OffsetDateTime::now_utc().unix_timestamp(),
        exp: expires.unix_timestamp(),
    }))
}
