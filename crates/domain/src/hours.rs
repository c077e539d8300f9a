//! Opening hours. Restaurants keep hours in their own time zone; the server holds UTC and converts
//! only here, at the edge. A window whose close is not after its open runs past midnight
//! ("18:00"–"02:00"); `open == close` means open all day.

use crate::Invalid;
use jiff::{Timestamp, civil::Weekday, tz::TimeZone};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One day's window, local time, `HH:MM` (24 h; `24:00` allowed as a close).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayHours {
    #[schema(example = "10:00")]
    pub open: String,
    #[schema(example = "23:00")]
    pub close: String,
}

/// Hours for each weekday; a missing day is closed all day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    pub monday: Option<DayHours>,
    pub tuesday: Option<DayHours>,
    pub wednesday: Option<DayHours>,
    pub thursday: Option<DayHours>,
    pub friday: Option<DayHours>,
    pub saturday: Option<DayHours>,
    pub sunday: Option<DayHours>,
}

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

fn minutes(field: &str, s: &str, allow_24: bool) -> Result<u16, Invalid> {
    let bad = || Invalid::new(field, "must be a time like 09:30 (24-hour clock)");
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m > 59 || h > 24 || (h == 24 && (m != 0 || !allow_24)) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

impl WeeklyHours {
    fn days(&self) -> [&Option<DayHours>; 7] {
        [&self.monday, &self.tuesday, &self.wednesday, &self.thursday, &self.friday, &self.saturday, &self.sunday]
    }

    /// Checks every window and rewrites times as `HH:MM`.
    pub fn parse(self, field: &str) -> Result<Self, Invalid> {
        let mut out = WeeklyHours::default();
        let slots = [
            &mut out.monday,
            &mut out.tuesday,
            &mut out.wednesday,
            &mut out.thursday,
            &mut out.friday,
            &mut out.saturday,
            &mut out.sunday,
        ];
        for ((slot, day), name) in slots.into_iter().zip(self.days()).zip(DAYS) {
            if let Some(d) = day {
                let o = minutes(&format!("{field}.{name}.open"), &d.open, false)?;
                let c = minutes(&format!("{field}.{name}.close"), &d.close, true)?;
                let f = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
                *slot = Some(DayHours { open: f(o), close: f(c) });
            }
        }
        Ok(out)
    }

    /// `(open, close)` in minutes after local midnight for a weekday (0 = Monday).
    fn window(&self, day: usize) -> Option<(u16, u16)> {
        let d = self.days()[day].as_ref()?;
        Some((minutes("", &d.open, false).ok()?, minutes("", &d.close, true).ok()?))
    }

    /// Whether the restaurant is open at `minute` (after local midnight) of local weekday `day`.
    pub fn is_open_local(&self, day: usize, minute: u16) -> bool {
        if let Some((open, close)) = self.window(day)
            && (open == close || (open < close && (open..close).contains(&minute)) || (close < open && minute >= open))
        {
            return true;
        }
        // Yesterday's window may run past midnight into today.
        match self.window((day + 6) % 7) {
            Some((open, close)) if close < open => minute < close,
            _ => false,
        }
    }

    /// Whether the restaurant is open at instant `at` in its time zone `tz`.
    pub fn is_open_at(&self, at: Timestamp, tz: &TimeZone) -> bool {
        let local = at.to_zoned(tz.clone());
        let day = match local.weekday() {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        };
        self.is_open_local(day, local.hour() as u16 * 60 + local.minute() as u16)
    }
}

impl WeeklyHours {
    /// The first opening strictly after `at` within the coming week, if the restaurant ever opens.
    pub fn next_opening(&self, at: Timestamp, tz: &TimeZone) -> Option<Timestamp> {
        let today = at.to_zoned(tz.clone()).date();
        (0..8).find_map(|d| {
            let date = today.checked_add(jiff::Span::new().days(d)).ok()?;
            let (open, _) = self.window(date.weekday().to_monday_zero_offset() as usize)?;
            let local = date.at((open / 60) as i8, (open % 60) as i8, 0, 0);
            let when = local.to_zoned(tz.clone()).ok()?.timestamp();
            (when > at).then_some(when)
        })
    }
}

/// Parses an IANA time-zone name such as `Asia/Kolkata`, spelt exactly as one of
/// [`time_zone_names`] (the OpenAPI document lists them).
pub fn parse_time_zone(field: &str, name: &str) -> Result<TimeZone, Invalid> {
    let bad = || Invalid::new(field, "must be an IANA time zone such as Asia/Kolkata");
    if !time_zone_names().iter().any(|n| n == name) {
        return Err(bad());
    }
    TimeZone::get(name).map_err(|_| bad())
}

/// Every time-zone name of the bundled database, sorted.
pub fn time_zone_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = jiff::tz::db().available().map(|n| n.as_str().to_owned()).collect();
        names.sort();
        names
    })
}

/// A time of day as [`WeeklyHours::parse`] takes it (`9:05`, `09:05`; `24:00` only to close),
/// as an ECMA-262 pattern; white space around it is trimmed.
pub fn time_pattern(closing: bool) -> String {
    let ws = crate::invalid::WHITE_SPACE;
    let end = if closing { "|24:00" } else { "" };
    format!("^[{ws}]*(?:(?:[01]?[0-9]|2[0-3]):[0-5][0-9]{end})[{ws}]*$")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(open: &str, close: &str) -> Option<DayHours> {
        Some(DayHours { open: open.into(), close: close.into() })
    }

    #[test]
    fn parse_normalises_and_rejects() {
        let h = WeeklyHours { monday: day("9:00", "24:00"), ..Default::default() }.parse("operating_hours").unwrap();
        assert_eq!(h.monday, day("09:00", "24:00"));
        for (o, c) in [("25:00", "10:00"), ("10:60", "11:00"), ("24:00", "10:00"), ("10", "11:00"), ("ab:cd", "11:00")]
        {
            let err = WeeklyHours { tuesday: day(o, c), ..Default::default() }.parse("operating_hours").unwrap_err();
            assert!(err.field.starts_with("operating_hours.tuesday."), "{err}");
        }
    }

    #[test]
    fn same_day_window() {
        let h = WeeklyHours { monday: day("10:00", "23:00"), ..Default::default() };
        assert!(!h.is_open_local(0, 9 * 60 + 59));
        assert!(h.is_open_local(0, 10 * 60));
        assert!(h.is_open_local(0, 22 * 60 + 59));
        assert!(!h.is_open_local(0, 23 * 60));
        assert!(!h.is_open_local(1, 12 * 60), "tuesday has no hours");
    }

    #[test]
    fn overnight_window_spills_into_next_day() {
        let h = WeeklyHours { friday: day("18:00", "02:00"), ..Default::default() };
        assert!(h.is_open_local(4, 23 * 60));
        assert!(h.is_open_local(5, 60), "saturday 01:00 is friday night");
        assert!(!h.is_open_local(5, 2 * 60));
        assert!(!h.is_open_local(4, 60), "friday 01:00 belongs to thursday, which is closed");
    }

    #[test]
    fn sunday_spills_into_monday_and_all_day() {
        let h = WeeklyHours { sunday: day("20:00", "01:00"), wednesday: day("00:00", "00:00"), ..Default::default() };
        assert!(h.is_open_local(0, 30));
        assert!(h.is_open_local(2, 0) && h.is_open_local(2, 1439));
    }

    #[test]
    fn converts_utc_to_restaurant_time() {
        let h = WeeklyHours { monday: day("10:00", "23:00"), ..Default::default() };
        let tz = parse_time_zone("timezone", "Asia/Kolkata").unwrap();
        // 2026-11-23 is a Monday. 04:00 UTC = 09:30 IST (closed), 05:00 UTC = 10:30 IST (open).
        let closed: Timestamp = "2026-11-23T04:00:00Z".parse().unwrap();
        let open: Timestamp = "2026-11-23T05:00:00Z".parse().unwrap();
        assert!(!h.is_open_at(closed, &tz));
        assert!(h.is_open_at(open, &tz));
        assert!(parse_time_zone("timezone", "Mars/Olympus").is_err());
    }
}
