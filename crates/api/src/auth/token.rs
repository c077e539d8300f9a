//! Bearer tokens: compact JWTs signed with HMAC-SHA256. Each carries a session id, so logout
//! (revoking the session) and bans take effect on the next request despite the token's expiry.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use dabba_domain::Role;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::fmt;
use std::time::Duration;
use uuid::Uuid;

/// Signing key and lifetime of tokens. `Debug` never shows the key.
#[derive(Clone)]
pub struct TokenKeys {
    secret: Vec<u8>,
    /// How long a token stays valid after login.
    pub ttl: Duration,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenKeys").field("secret", &"***").field("ttl", &self.ttl).finish()
    }
}

/// What a token says about its bearer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    /// The session id (revocable).
    pub sid: Uuid,
    pub role: Role,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires at, Unix seconds.
    pub exp: i64,
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    BadSignature,
    Expired,
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

impl TokenKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        Self { secret: secret.to_vec(), ttl }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length.
        Hmac::<Sha256>::new_from_slice(&self.secret).unwrap_or_else(|_| unreachable!())
    }

    /// Signs claims into a token.
    pub fn sign(&self, claims: &Claims) -> String {
        let body = serde_json::to_vec(claims).unwrap_or_default();
        let signing_input = format!("{}.{}", B64.encode(HEADER), B64.encode(body));
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let sig = B64.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    /// Checks signature (in constant time) and expiry at `now` (Unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let (signing_input, sig) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let (header, body) = signing_input.split_once('.').ok_or(TokenError::Malformed)?;
        if B64.decode(header).ok().as_deref() != Some(HEADER.as_bytes()) {
            return Err(TokenError::Malformed);
        }
        let sig = B64.decode(sig).map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&sig).map_err(|_| TokenError::BadSignature)?;
        let body = B64.decode(body).map_err(|_| TokenError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&body).map_err(|_| TokenError::Malformed)?;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims { sub: Uuid::now_v7(), sid: Uuid::now_v7(), role: Role::Customer, iat: 0, exp }
    }

    #[test]
    fn sign_verify_round_trip() {
        let keys = TokenKeys::new(b"k1", Duration::from_secs(60));
        let c = claims(100);
        assert_eq!(keys.verify(&keys.sign(&c), 99).unwrap(), c);
        assert_eq!(keys.verify(&keys.sign(&c), 100), Err(TokenError::Expired));
    }

    #[test]
    fn refuses_other_keys_and_tampering() {
        let a = TokenKeys::new(b"k1", Duration::from_secs(60));
        let b = TokenKeys::new(b"k2", Duration::from_secs(60));
        let t = a.sign(&claims(100));
        assert_eq!(b.verify(&t, 0), Err(TokenError::BadSignature));
        // Promote ourselves to admin by editing the payload: the signature no longer matches.
        let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
        let mut c: serde_json::Value = serde_json::from_slice(&B64.decode(&parts[1]).unwrap()).unwrap();
        c["role"] = "ADMIN".into();
        parts[1] = B64.encode(serde_json::to_vec(&c).unwrap());
        assert_eq!(a.verify(&parts.join("."), 0), Err(TokenError::BadSignature));
        assert_eq!(a.verify("not-a-token", 0), Err(TokenError::Malformed));
        assert!(!format!("{a:?}").contains("k1"));
    }
}
