//! The one error type of parsing: which field is wrong and why, in words a person understands.

use std::fmt;

/// A field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The request field, as the client named it (`phone`, `address.city`, `items[2].price`).
    pub field: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
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

/// Checks a free-text field: trimmed, within `min..=max` characters, no control characters.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, Invalid> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if len < min {
        return Err(if min == 1 {
            Invalid::new(field, "must not be empty")
        } else {
            Invalid::new(field, format!("must be at least {min} characters"))
        });
    }
    if len > max {
        return Err(Invalid::new(field, format!("must be at most {max} characters")));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new(field, "must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// Like [`text`], for optional fields: an absent or blank value becomes `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Invalid> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v, 1, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_trims_and_bounds() {
        assert_eq!(text("name", "  Asha ", 1, 10).unwrap(), "Asha");
        assert_eq!(text("name", "   ", 1, 10).unwrap_err().message, "must not be empty");
        assert!(text("name", "abcdefghijk", 1, 10).is_err());
        assert!(text("name", "a\u{7}b", 1, 10).is_err());
        assert_eq!(optional_text("x", Some("  "), 5).unwrap(), None);
        assert_eq!(Invalid::new("city", "bad").within("address").field, "address.city");
    }
}
