//! The one error type of parsing: which field is wrong and why, in words a person understands.

use std::fmt;

/// A field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The request field, as the client named it (`phone`, `address.city`, `items[2].price`).
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
    /// The field is well formed on its own but does not fit the others, or what is stored
    /// (`valid_until` before `valid_from`, an option id of another group): no schema of the
    /// field alone can say so, and the API answers 422 rather than 400.
    pub combination: bool,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into(), combination: false }
    }

    /// A problem of a combination of fields, or of a field with what is stored.
    pub fn combination(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into(), combination: true }
    }

    /// The same problem seen from an enclosing object (`city` becomes `address.city`).
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for Invalid {}

/// Checks a free-text field: `min..=max` characters as sent, at least one that is not white
/// space, no control characters but line breaks; the value kept is trimmed. The OpenAPI
/// document says the same with [`text_pattern`] (lengths are counted as sent, so that the
/// document's `minLength`/`maxLength` are exactly the rule).
pub fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let len = value.chars().count();
    if len > max {
        return Err(Invalid::new(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Invalid::new(field, "must not be empty"));
    }
    if len < min {
        return Err(Invalid::new(field, format!("must be at least {min} characters")));
    }
    Ok(trimmed.to_owned())
}

/// Like [`text`], for optional fields: an absent or blank value becomes `None`
/// ([`optional_text_pattern`]).
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    match value {
        Some(v) if !v.trim().is_empty() => text(field, v, 1, max).map(Some),
        Some(v) if v.chars().count() > max => Err(Invalid::new(field, format!("must be at most {max} characters"))),
        Some(v) if v.chars().any(|c| c.is_control() && c != '\n') => {
            Err(Invalid::new(field, "must not contain control characters"))
        }
        _ => Ok(None),
    }
}

/// White space as `str::trim` sees it (Unicode White_Space), for patterns.
pub const WHITE_SPACE: &str = r"\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// The white space a free-text field may carry around its value: [`WHITE_SPACE`] without the
/// control characters that [`text`] refuses.
pub const TEXT_SPACE: &str = r"\n \xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// Control characters but the line break (`char::is_control`), for patterns.
pub const CONTROL: &str = r"\x00-\x09\x0B-\x1F\x7F-\x9F";

/// [`text`] as an ECMA-262 pattern: no control characters but line breaks, one character that
/// is neither white space nor control.
pub fn text_pattern() -> String {
    format!("^[^{CONTROL}]*[^{WHITE_SPACE}{CONTROL}][^{CONTROL}]*$")
}

/// [`optional_text`] as a pattern: no control characters but line breaks (blank is allowed).
pub fn optional_text_pattern() -> String {
    format!("^[^{CONTROL}]*$")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_trims_and_bounds() {
        assert_eq!(text("name", "  Asha ", 1, 10).unwrap(), "Asha");
        assert!(text("name", "  Asha     ", 1, 10).is_err(), "lengths count as sent");
        assert_eq!(text("name", "   ", 1, 10).unwrap_err().message, "must not be empty");
        assert!(text("name", "abcdefghijk", 1, 10).is_err());
        assert!(text("name", "a\u{7}b", 1, 10).is_err());
        assert_eq!(optional_text("x", Some("  "), 5).unwrap(), None);
        assert_eq!(Invalid::new("city", "bad").within("address").field, "address.city");
    }
}
