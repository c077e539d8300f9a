//! How the store writes a time. SQLite has no time type: it stores text and compares text, so
//! every time is written in one fixed-width UTC form, `2026-12-04T07:32:31.123456Z`, in which
//! comparing the text compares the times (sqlx's own form keeps the caller's offset and drops
//! trailing zeros of the fraction: `…+05:30` and `…31Z` against `…31.5Z` compared wrongly).
//! PostgreSQL gets a `timestamptz`. Every time bound in `sql/` goes through [`Stamp`]; a test
//! checks every stored time has the form.

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Encode, Postgres, Sqlite, Type};
use time::OffsetDateTime;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;

/// A time to bind as a query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp(pub OffsetDateTime);

/// The stored text form: UTC, microseconds, always the same width.
const FORM: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

/// `t` in the stored text form.
pub fn text(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(FORM).unwrap_or_else(|_| {
        // Only a year past 9999 cannot be written; keep such a time at the end of all others.
        "9999-12-31T23:59:59.999999Z".to_owned()
    })
}

/// The start of the UTC hour `t` is in.
pub fn hour_of(t: OffsetDateTime) -> OffsetDateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    t - time::Duration::seconds(i64::from(t.minute()) * 60 + i64::from(t.second()))
        - time::Duration::nanoseconds(i64::from(t.nanosecond()))
}

impl Type<Sqlite> for Stamp {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <OffsetDateTime as Type<Sqlite>>::type_info()
    }
}

impl Encode<'_, Sqlite> for Stamp {
    fn encode_by_ref(&self, buf: &mut sqlx::sqlite::SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(text(self.0), buf)
    }
}

impl Type<Postgres> for Stamp {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Stamp {
    fn encode_by_ref(&self, buf: &mut sqlx::postgres::PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_text_form_orders_as_the_times_do() {
        let times = [
            datetime!(2026-12-04 07:32:31 +05:30),
            datetime!(2026-12-04 02:02:31 UTC),
            datetime!(2026-12-04 02:02:31.000001 UTC),
            datetime!(2026-12-04 02:02:31.5 UTC),
            datetime!(2026-12-04 02:02:31.500001 UTC),
            datetime!(2026-12-04 08:00 +05:30),
            datetime!(2026-12-04 02:31 UTC),
        ];
        let texts: Vec<String> = times.iter().map(|t| text(*t)).collect();
        for pair in texts.windows(2) {
            assert!(pair[0] <= pair[1], "{pair:?}");
            assert_eq!(pair[0].len(), pair[1].len());
        }
        assert_eq!(texts[0], texts[1], "the same instant is the same text");
        assert_eq!(texts[0], "2026-12-04T02:02:31.000000Z");
        // sqlx reads the form back as the same instant.
        let back = OffsetDateTime::parse(&texts[4], &time::format_description::well_known::Rfc3339).unwrap();
        assert_eq!(back, times[4]);
    }
}
