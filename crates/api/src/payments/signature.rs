//! Webhook signatures: `Dabba-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
//! as Stripe signs. The timestamp is inside the MAC, so a captured callback cannot be replayed
//! later than the tolerance; the event id makes replays within it harmless.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const HEADER: &str = "dabba-signature";

fn mac(secret: &[u8], t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(t.to_string().as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// A webhook secret derived from another secret (the token secret), for deployments that do
/// not configure one: stable across restarts and equal on every node.
pub fn derive_secret(from: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(from).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(b"dabba payment webhooks");
    m.finalize().into_bytes().to_vec()
}

/// The header value for `body` signed at `t`.
pub fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
    let tag = mac(secret, t, body).finalize().into_bytes();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Dabba-Signature header is missing or malformed")]
    Malformed,
    #[error("the signature timestamp is outside the accepted window")]
    Stale,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks a header against the body, at `now` (unix seconds), accepting `tolerance` seconds
/// of skew either way. The comparison is constant-time.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64, tolerance: i64) -> Result<(), SignatureError> {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1 = decode_hex(v),
            _ => {}
        }
    }
    let (Some(t), Some(tag)) = (t, v1) else {
        return Err(SignatureError::Malformed);
    };
    // The MAC first: nothing of an unsigned header is computed with (its `t` is anyone's).
    mac(secret, t, body).verify_slice(&tag).map_err(|_| SignatureError::Mismatch)?;
    match now.checked_sub(t) {
        Some(skew) if skew.unsigned_abs() <= tolerance.unsigned_abs() => Ok(()),
        _ => Err(SignatureError::Stale),
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_for_its_body_secret_and_time() {
        let body = br#"{"event_id":"evt_1"}"#;
        let h = sign(b"secret", 1_000, body);
        assert_eq!(verify(b"secret", &h, body, 1_010, 300), Ok(()));
        assert_eq!(verify(b"other", &h, body, 1_010, 300), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"secret", &h, br#"{"event_id":"evt_2"}"#, 1_010, 300), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"secret", &h, body, 1_400, 300), Err(SignatureError::Stale));
        // Moving the timestamp breaks the MAC.
        let moved = h.replace("t=1000", "t=1390");
        assert_eq!(verify(b"secret", &moved, body, 1_400, 300), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"secret", "v1=abcd", body, 1_000, 300), Err(SignatureError::Malformed));
        assert_eq!(verify(b"secret", "t=1000,v1=zz", body, 1_000, 300), Err(SignatureError::Malformed));
    }

    #[test]
    fn extreme_timestamps_are_refused_not_overflowed() {
        let body = b"{}";
        // Unsigned: refused on the MAC, the timestamp never used.
        let forged = format!("t={},v1={}", i64::MIN, "00".repeat(32));
        assert_eq!(verify(b"secret", &forged, body, 1_000, 300), Err(SignatureError::Mismatch));
        // Signed with the real secret at an absurd time: stale, and no overflow on the way.
        for t in [i64::MIN, i64::MAX] {
            assert_eq!(verify(b"secret", &sign(b"secret", t, body), body, 1_000, 300), Err(SignatureError::Stale));
        }
    }
}
