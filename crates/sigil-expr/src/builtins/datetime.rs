//! `System.DateTime` and `System.TimeSpan`: tick-based (100 ns) like .NET, always UTC.
//! Formatting implements .NET custom and common standard format strings by hand because no crate
//! speaks .NET format syntax; calendar math is delegated to the `time` crate.

use std::fmt;

use sigil_core::UnixTime;
use time::{Month, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::error::EvalError;

/// Ticks per second.
pub(crate) const TPS: i64 = 10_000_000;
/// Ticks between 0001-01-01 and 1970-01-01.
const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;
/// Ticks of 9999-12-31T23:59:59.9999999.
const MAX_TICKS: i64 = 3_155_378_975_999_999_999;

/// A `System.DateTime` (UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    ticks: i64,
}

/// A `System.TimeSpan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeSpan {
    ticks: i64,
}

// === impl DateTime ===

impl DateTime {
    /// From .NET ticks since 0001-01-01T00:00:00Z; None outside DateTime's range.
    pub fn from_ticks(ticks: i64) -> Option<Self> {
        (0..=MAX_TICKS).contains(&ticks).then_some(Self { ticks })
    }

    /// .NET ticks.
    pub fn ticks(self) -> i64 {
        self.ticks
    }

    /// From a Unix time (the gateway's clock).
    pub fn from_unix(t: UnixTime) -> Self {
        let d = t.as_duration();
        let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX / TPS);
        let ticks = secs
            .saturating_mul(TPS)
            .saturating_add(i64::from(d.subsec_nanos() / 100))
            .saturating_add(UNIX_EPOCH_TICKS);
        Self {
            ticks: ticks.min(MAX_TICKS),
        }
    }

    /// From Unix seconds (JWT `exp`, `nbf`, `iat`).
    pub fn from_unix_seconds(secs: i64) -> Option<Self> {
        Self::from_ticks(secs.checked_mul(TPS)?.checked_add(UNIX_EPOCH_TICKS)?)
    }

    /// Seconds since the Unix epoch (negative before 1970).
    pub fn unix_seconds(self) -> i64 {
        (self.ticks - UNIX_EPOCH_TICKS).div_euclid(TPS)
    }

    /// As a `time` date-time in UTC.
    pub fn to_offset_datetime(self) -> OffsetDateTime {
        let nanos = i128::from(self.ticks - UNIX_EPOCH_TICKS) * 100;
        OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// From a `time` date-time (converted to UTC).
    pub fn from_offset_datetime(dt: OffsetDateTime) -> Option<Self> {
        let nanos = dt.to_offset(UtcOffset::UTC).unix_timestamp_nanos();
        let ticks = i64::try_from(nanos / 100)
            .ok()?
            .checked_add(UNIX_EPOCH_TICKS)?;
        Self::from_ticks(ticks)
    }

    pub(crate) fn add_ticks(self, ticks: i64) -> Result<Self, EvalError> {
        self.ticks
            .checked_add(ticks)
            .and_then(Self::from_ticks)
            .ok_or_else(|| {
                EvalError::out_of_range(
                    "The added or subtracted value results in an un-representable DateTime.",
                )
            })
    }

    pub(crate) fn add_months(self, months: i64) -> Result<Self, EvalError> {
        let dt = self.to_offset_datetime();
        let total = i64::from(dt.year()) * 12 + i64::from(u8::from(dt.month())) - 1 + months;
        let year = i32::try_from(total.div_euclid(12)).map_err(|_| range_err())?;
        let month = u8::try_from(total.rem_euclid(12) + 1).map_err(|_| range_err())?;
        let month = Month::try_from(month).map_err(|_| range_err())?;
        let day = dt.day().min(month.length(year));
        let date = time::Date::from_calendar_date(year, month, day).map_err(|_| range_err())?;
        Self::from_offset_datetime(PrimitiveDateTime::new(date, dt.time()).assume_utc())
            .ok_or_else(range_err)
    }

    /// en-US `ToString()`: `M/d/yyyy h:mm:ss tt`.
    pub(crate) fn to_default_string(self) -> String {
        self.format("M/d/yyyy h:mm:ss tt")
    }

    /// .NET `ToString(format)` for the standard formats `o O s u r R d D t T g G f F` and custom
    /// patterns (`yyyy MM dd HH mm ss fff tt K zzz` and friends, quoted literals, `\x` escapes).
    pub(crate) fn format(self, fmt: &str) -> String {
        let pattern = match fmt {
            "" | "G" => "M/d/yyyy h:mm:ss tt",
            "o" | "O" => "yyyy-MM-ddTHH:mm:ss.fffffffK",
            "s" => "yyyy-MM-ddTHH:mm:ss",
            "u" => "yyyy-MM-dd HH:mm:ssZ",
            "r" | "R" => "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
            "d" => "M/d/yyyy",
            "D" => "dddd, MMMM d, yyyy",
            "t" => "h:mm tt",
            "T" => "h:mm:ss tt",
            "g" => "M/d/yyyy h:mm tt",
            "f" => "dddd, MMMM d, yyyy h:mm tt",
            "F" => "dddd, MMMM d, yyyy h:mm:ss tt",
            other => other,
        };
        format_custom(self, pattern)
    }

    /// `DateTime.Parse`: ISO 8601 / RFC 3339 (with or without offset, date only), RFC 1123 and
    /// en-US `M/d/yyyy[ h:mm:ss[ tt]]`.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        use time::format_description::well_known::{Rfc2822, Rfc3339};
        let s = s.trim();
        if let Ok(dt) = OffsetDateTime::parse(s, &Rfc3339) {
            return Self::from_offset_datetime(dt);
        }
        if let Ok(dt) = OffsetDateTime::parse(s, &Rfc2822) {
            return Self::from_offset_datetime(dt);
        }
        if let Some(rest) = s.strip_suffix(" GMT") {
            let fd = time::macros::format_description!(
                "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second]"
            );
            if let Ok(p) = PrimitiveDateTime::parse(rest, &fd) {
                return Self::from_offset_datetime(p.assume_utc());
            }
        }
        parse_iso_loose(s).or_else(|| parse_us(s))
    }
}

fn range_err() -> EvalError {
    EvalError::out_of_range(
        "The added or subtracted value results in an un-representable DateTime.",
    )
}

/// `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm[:ss[.f+]]` with optional `Z`.
fn parse_iso_loose(s: &str) -> Option<DateTime> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time_part) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut dp = date.split('-');
    let y: i32 = dp.next()?.parse().ok()?;
    let m: u8 = dp.next()?.parse().ok()?;
    let d: u8 = dp.next()?.parse().ok()?;
    if dp.next().is_some() {
        return None;
    }
    let date = time::Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()?;
    let t = match time_part {
        Some(t) => parse_clock(t)?,
        None => time::Time::MIDNIGHT,
    };
    DateTime::from_offset_datetime(PrimitiveDateTime::new(date, t).assume_utc())
}

fn parse_clock(t: &str) -> Option<time::Time> {
    let (main, frac) = match t.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (t, None),
    };
    let mut it = main.split(':');
    let h: u8 = it.next()?.parse().ok()?;
    let mi: u8 = it.next()?.parse().ok()?;
    let sec: u8 = match it.next() {
        Some(x) => x.parse().ok()?,
        None => 0,
    };
    let nanos = match frac {
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
            f.parse::<u32>().ok()? * 10u32.pow(9 - u32::try_from(f.len()).ok()?)
        }
        Some(_) => return None,
        None => 0,
    };
    time::Time::from_hms_nano(h, mi, sec, nanos).ok()
}

/// en-US `M/d/yyyy[ h:mm[:ss][ AM|PM]]`.
fn parse_us(s: &str) -> Option<DateTime> {
    let mut parts = s.split_whitespace();
    let date = parts.next()?;
    let mut dp = date.split('/');
    let m: u8 = dp.next()?.parse().ok()?;
    let d: u8 = dp.next()?.parse().ok()?;
    let y: i32 = dp.next()?.parse().ok()?;
    let date = time::Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()?;
    let mut t = time::Time::MIDNIGHT;
    if let Some(clock) = parts.next() {
        t = parse_clock(clock)?;
        match parts.next().map(str::to_ascii_uppercase).as_deref() {
            Some("PM") if t.hour() < 12 => t = t.replace_hour(t.hour() + 12).ok()?,
            Some("AM") if t.hour() == 12 => t = t.replace_hour(0).ok()?,
            Some("AM" | "PM") | None => {}
            Some(_) => return None,
        }
    }
    DateTime::from_offset_datetime(PrimitiveDateTime::new(date, t).assume_utc())
}

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn format_custom(d: DateTime, pattern: &str) -> String {
    let dt = d.to_offset_datetime();
    let frac_ticks = d.ticks.rem_euclid(TPS);
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == c {
            n += 1;
        }
        let mut consumed = n;
        match c {
            'y' => match n {
                1 => out.push_str(&(dt.year() % 100).to_string()),
                2 => out.push_str(&format!("{:02}", dt.year() % 100)),
                _ => out.push_str(&format!("{:0width$}", dt.year(), width = n)),
            },
            'M' => {
                let m = u8::from(dt.month());
                match n {
                    1 => out.push_str(&m.to_string()),
                    2 => out.push_str(&format!("{m:02}")),
                    3 => out.push_str(&MONTHS[usize::from(m - 1)][..3]),
                    _ => out.push_str(MONTHS[usize::from(m - 1)]),
                }
            }
            'd' => match n {
                1 => out.push_str(&dt.day().to_string()),
                2 => out.push_str(&format!("{:02}", dt.day())),
                3 => out.push_str(&DAYS[usize::from(dt.weekday().number_days_from_monday())][..3]),
                _ => out.push_str(DAYS[usize::from(dt.weekday().number_days_from_monday())]),
            },
            'H' => push_num(&mut out, dt.hour(), n.min(2)),
            'h' => push_num(&mut out, (dt.hour() + 11) % 12 + 1, n.min(2)),
            'm' => push_num(&mut out, dt.minute(), n.min(2)),
            's' => push_num(&mut out, dt.second(), n.min(2)),
            't' => {
                let ampm = if dt.hour() < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 { &ampm[..1] } else { ampm });
            }
            'f' | 'F' => {
                let digits = n.min(7);
                consumed = n;
                let s = format!("{frac_ticks:07}");
                let part = &s[..digits];
                if c == 'F' {
                    out.push_str(part.trim_end_matches('0'));
                } else {
                    out.push_str(part);
                }
            }
            'K' => out.push('Z'),
            'z' => out.push_str(match n {
                1 => "+0",
                2 => "+00",
                _ => "+00:00",
            }),
            '\'' | '"' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != c {
                    out.push(chars[j]);
                    j += 1;
                }
                consumed = j + 1 - i;
            }
            '\\' if i + 1 < chars.len() => {
                out.push(chars[i + 1]);
                consumed = 2;
            }
            other => {
                for _ in 0..n {
                    out.push(other);
                }
            }
        }
        i += consumed;
    }
    out
}

fn push_num(out: &mut String, v: u8, width: usize) {
    if width >= 2 {
        out.push_str(&format!("{v:02}"));
    } else {
        out.push_str(&v.to_string());
    }
}

// === impl TimeSpan ===

impl TimeSpan {
    /// From .NET ticks.
    pub const fn from_ticks(ticks: i64) -> Self {
        Self { ticks }
    }

    /// From a std duration (saturating).
    pub fn from_duration(d: std::time::Duration) -> Self {
        Self {
            ticks: i64::try_from(d.as_nanos() / 100).unwrap_or(i64::MAX),
        }
    }

    /// .NET ticks.
    pub const fn ticks(self) -> i64 {
        self.ticks
    }

    #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)] // .NET does the same.
    pub(crate) fn from_units(v: f64, ticks_per_unit: i64) -> Result<Self, EvalError> {
        let t = (v * ticks_per_unit as f64).round();
        if !t.is_finite() || t.abs() >= 9.2e18 {
            return Err(EvalError::new(
                "OverflowException",
                "TimeSpan overflowed because the duration is too long.",
            ));
        }
        Ok(Self { ticks: t as i64 })
    }

    #[allow(clippy::cast_precision_loss)]
    pub(crate) fn total(self, ticks_per_unit: i64) -> f64 {
        self.ticks as f64 / ticks_per_unit as f64
    }

    /// Whole-unit component (`Days`, `Hours` ...) as .NET computes it (truncating toward zero).
    pub(crate) fn component(self, ticks_per_unit: i64, modulo: i64) -> i64 {
        let v = self.ticks / ticks_per_unit;
        if modulo == 0 { v } else { v % modulo }
    }

    /// `TimeSpan.Parse`: `[-][d.]hh:mm[:ss[.fffffff]]` or a plain day count.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
        if !s.contains(':') {
            let days: i64 = s.parse().ok()?;
            let t = days.checked_mul(TPS * 86_400)?;
            return Some(Self {
                ticks: if neg { -t } else { t },
            });
        }
        let (days, clock) = match s.split_once(':') {
            Some((head, _)) if head.contains('.') => {
                let (d, rest) = s.split_once('.')?;
                (d.parse::<i64>().ok()?, rest)
            }
            _ => (0, s),
        };
        let (main, frac) = match clock.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (clock, None),
        };
        let mut it = main.split(':');
        let h: i64 = it.next()?.parse().ok()?;
        let m: i64 = it.next()?.parse().ok()?;
        let sec: i64 = it.next().map_or(Some(0), |x| x.parse().ok())?;
        if it.next().is_some() || h > 23 || m > 59 || sec > 59 {
            return None;
        }
        let frac_ticks = match frac {
            Some(f) if !f.is_empty() && f.len() <= 7 && f.bytes().all(|b| b.is_ascii_digit()) => {
                f.parse::<i64>().ok()? * 10i64.pow(7 - u32::try_from(f.len()).ok()?)
            }
            Some(_) => return None,
            None => 0,
        };
        let t = ((days * 24 + h) * 60 + m)
            .checked_mul(60)?
            .checked_add(sec)?
            .checked_mul(TPS)?
            .checked_add(frac_ticks)?;
        Some(Self {
            ticks: if neg { -t } else { t },
        })
    }
}

impl fmt::Display for TimeSpan {
    /// The constant ("c") format: `[-][d.]hh:mm:ss[.fffffff]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.ticks < 0;
        let t = self.ticks.unsigned_abs();
        let tps = TPS.unsigned_abs();
        let frac = t % tps;
        let secs = t / tps;
        let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
        if neg {
            f.write_str("-")?;
        }
        if d > 0 {
            write!(f, "{d}.")?;
        }
        write!(f, "{h:02}:{m:02}:{s:02}")?;
        if frac > 0 {
            write!(f, ".{frac:07}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        DateTime::parse(s).unwrap()
    }

    #[test]
    fn formats() {
        let d = dt("2024-03-05T07:08:09.123Z");
        assert_eq!(d.format("o"), "2024-03-05T07:08:09.1230000Z");
        assert_eq!(d.format("s"), "2024-03-05T07:08:09");
        assert_eq!(d.format("R"), "Tue, 05 Mar 2024 07:08:09 GMT");
        assert_eq!(d.format("yyyy-MM-ddTHH:mm:ssZ"), "2024-03-05T07:08:09Z");
        assert_eq!(d.format("yyyyMMdd'x'HH"), "20240305x07");
        assert_eq!(d.to_default_string(), "3/5/2024 7:08:09 AM");
        assert_eq!(d.format("fff"), "123");
    }

    #[test]
    fn parses() {
        assert_eq!(dt("2024-03-05").format("s"), "2024-03-05T00:00:00");
        assert_eq!(
            dt("2024-03-05T10:00:00+02:00").format("s"),
            "2024-03-05T08:00:00"
        );
        assert_eq!(
            dt("Tue, 05 Mar 2024 07:08:09 GMT").format("s"),
            "2024-03-05T07:08:09"
        );
        assert_eq!(dt("3/5/2024 7:08:09 PM").format("s"), "2024-03-05T19:08:09");
        assert!(DateTime::parse("not a date").is_none());
    }

    #[test]
    fn unix_round_trip() {
        let d = DateTime::from_unix_seconds(1_700_000_000).unwrap();
        assert_eq!(d.unix_seconds(), 1_700_000_000);
        assert_eq!(DateTime::from_unix(UnixTime::from_secs(1_700_000_000)), d);
    }

    #[test]
    fn add_months_clamps_day() {
        let d = dt("2024-01-31").add_months(1).unwrap();
        assert_eq!(d.format("yyyy-MM-dd"), "2024-02-29");
    }

    #[test]
    fn timespan_text() {
        assert_eq!(TimeSpan::from_ticks(90 * TPS).to_string(), "00:01:30");
        assert_eq!(
            TimeSpan::from_ticks(-(86_400 + 1) * TPS).to_string(),
            "-1.00:00:01"
        );
        assert_eq!(
            TimeSpan::parse("1.02:03:04.5").unwrap().to_string(),
            "1.02:03:04.5000000"
        );
        assert_eq!(TimeSpan::parse("00:00:30").unwrap().ticks(), 30 * TPS);
    }
}
