//! Storage errors: the few outcomes callers act on, and everything else as a database failure.

/// What went wrong in a store call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique value is already taken; `field` names it (`phone`, `email`, …).
    #[error("{field} is already in use")]
    Conflict { field: &'static str },
    /// A rule of the store refused the change (e.g. deleting a category that still has items,
    /// or a concurrent change got there first). `code` is the API's error code.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    /// The database failed; a bug or an outage, never the caller's fault.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations could not be applied.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Unique columns the API can name in a 409, keyed by what each backend puts in its message.
const UNIQUE_FIELDS: [(&str, &str); 2] = [("phone", "phone"), ("email", "email")];

impl StoreError {
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Refused { code, message: message.into() }
    }

    /// Maps unique-constraint violations to [`StoreError::Conflict`] and foreign-key violations
    /// (a parent deleted concurrently) to [`StoreError::Refused`]; passes anything else through.
    pub(crate) fn classify(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e
            && db.is_unique_violation()
        {
            // PostgreSQL names the constraint; SQLite names the columns in its message.
            let hint = db.constraint().map(str::to_owned).unwrap_or_else(|| db.message().to_owned());
            for (needle, field) in UNIQUE_FIELDS {
                if hint.contains(needle) {
                    return StoreError::Conflict { field };
                }
            }
            return StoreError::Conflict { field: "id" };
        }
        if let sqlx::Error::Database(db) = &e
            && db.is_foreign_key_violation()
        {
            return StoreError::refused("CONFLICT", "something this refers to was removed meanwhile");
        }
        StoreError::Database(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
