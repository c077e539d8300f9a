//! Validated values parsed at the edge: once a `Phone` exists, it is a phone number.

use crate::Invalid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user is on the platform. ADMIN is only ever created from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    Customer,
    Restaurant,
    Delivery,
    Admin,
}

impl Role {
    /// Accounts of this role who register themselves wait for an admin's approval before they
    /// may trade: restaurant partners and riders see customers' names and addresses in their work.
    pub fn needs_approval(self) -> bool {
        matches!(self, Role::Restaurant | Role::Delivery)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "CUSTOMER",
            Role::Restaurant => "RESTAURANT",
            Role::Delivery => "DELIVERY",
            Role::Admin => "ADMIN",
        }
    }

    pub fn from_db(s: &str) -> Option<Self> {
        Some(match s {
            "CUSTOMER" => Role::Customer,
            "RESTAURANT" => Role::Restaurant,
            "DELIVERY" => Role::Delivery,
            "ADMIN" => Role::Admin,
            _ => return None,
        })
    }
}

impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Role::from_db(&s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// A phone number: optional `+`, then 10 to 15 digits. Spaces, dashes and brackets are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// The rule as an ECMA-262 pattern, for the OpenAPI document.
    pub const PATTERN: &str = r"^[ ()-]*\+?(?:[ ()-]*[0-9]){10,15}[ ()-]*$";

    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let kept: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        let digits = kept.strip_prefix('+').unwrap_or(&kept);
        if !(10..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Invalid::new(field, "must be a phone number of 10 to 15 digits, optionally starting with +"));
        }
        Ok(Self(kept))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An email address, lower-cased. Only the shape is checked; ownership needs a verification mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Longest address, in characters as sent.
    pub const MAX_CHARS: usize = 254;

    /// The rule as an ECMA-262 pattern: white space only around it, one `@`, a dot inside the
    /// domain, no control characters.
    pub fn pattern() -> String {
        use crate::invalid::{CONTROL, WHITE_SPACE};
        let c = format!("[^@{WHITE_SPACE}{CONTROL}\\uFEFF]");
        let d = format!("[^@.{WHITE_SPACE}{CONTROL}\\uFEFF]");
        format!("^[{WHITE_SPACE}]*{c}+@{d}{c}*\\.{c}*{d}[{WHITE_SPACE}]*$")
    }

    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let bad = || Invalid::new(field, "must be an email address like name@example.com");
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(bad());
        }
        let s = raw.trim().to_lowercase();
        if s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '\u{feff}') {
            return Err(bad());
        }
        let (local, domain) = s.split_once('@').ok_or_else(bad)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
        {
            return Err(bad());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A password as typed. Its `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(Invalid::new(field, format!("must be at least {} characters", Self::MIN_CHARS)));
        }
        if n > Self::MAX_CHARS {
            return Err(Invalid::new(field, format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        crate::invalid::text(field, raw, 1, 100).map(Self)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An amount in the currency's minor unit (paise). Never negative; the server computes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Money(i64);

impl Money {
    /// ₹1,00,000.00 — no single price, fee or threshold on a food menu is above this.
    pub const MAX_PRICE: i64 = 10_000_000;

    pub fn parse(field: &str, paise: i64) -> Result<Self, Invalid> {
        if paise < 0 {
            return Err(Invalid::new(field, "must not be negative (amounts are in paise: 29900 is ₹299.00)"));
        }
        if paise > Self::MAX_PRICE {
            return Err(Invalid::new(field, format!("must be at most {} paise", Self::MAX_PRICE)));
        }
        Ok(Self(paise))
    }

    pub fn paise(self) -> i64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_normalises_and_rejects() {
        assert_eq!(Phone::parse("phone", "+91 98765-43210").unwrap().as_str(), "+919876543210");
        assert_eq!(Phone::parse("phone", "9876543210").unwrap().as_str(), "9876543210");
        assert!(Phone::parse("phone", "12345").is_err());
        assert!(Phone::parse("phone", "98765x43210").is_err());
        assert!(Phone::parse("phone", "++919876543210").is_err());
    }

    #[test]
    fn email_shape() {
        assert_eq!(Email::parse("email", " Asha@Example.COM ").unwrap().as_str(), "asha@example.com");
        for bad in ["", "asha", "asha@", "@example.com", "a@b", "a b@example.com", "a@@example.com", "a@example."] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn password_bounds_and_redaction() {
        assert!(Password::parse("password", "short").is_err());
        let p = Password::parse("password", "correct horse").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert!(Password::parse("password", &"x".repeat(129)).is_err());
    }

    #[test]
    fn money_bounds() {
        assert!(Money::parse("price", -1).is_err());
        assert_eq!(Money::parse("price", 29900).unwrap().paise(), 29900);
        assert!(Money::parse("price", Money::MAX_PRICE + 1).is_err());
    }

    #[test]
    fn role_round_trips() {
        for r in [Role::Customer, Role::Restaurant, Role::Delivery, Role::Admin] {
            assert_eq!(Role::from_db(r.as_str()), Some(r));
        }
        assert_eq!(Role::from_db("KING"), None);
    }
}
