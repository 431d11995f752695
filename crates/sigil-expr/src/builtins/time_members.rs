//! Members of `DateTime` and `TimeSpan` (the value types live in `datetime.rs`).

use std::sync::Arc;

use super::datetime::{DateTime, TPS, TimeSpan};
use super::{Builtin, ResolveResult, Site, a_int, a_num, a_str, ok, str_val};
use crate::context::EvalContext;
use crate::error::EvalError;
use crate::types::{Class, Type};
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeFn {
    UtcNow,
    Today,
    MinValue,
    MaxValue,
    Parse,
    TryParse,
    Compare,
    SpanFrom(i64),
    SpanZero,
    SpanParse,
    SpanTryParse,
    AddUnits(i64),
    AddMonths,
    AddYears,
    AddSpan,
    SubtractDate,
    SubtractSpan,
    ToString,
    ToStringFmt,
    Identity,
    Part(DatePart),
    Date,
    TimeOfDay,
    DayOfWeek,
    CompareTo,
    Total(i64),
    Component(i64, i64),
    Ticks,
    Negate,
    Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DatePart {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    DayOfYear,
}

impl TimeFn {
    pub(crate) fn is_static(self) -> bool {
        matches!(
            self,
            Self::UtcNow
                | Self::Today
                | Self::MinValue
                | Self::MaxValue
                | Self::Parse
                | Self::TryParse
                | Self::Compare
                | Self::SpanFrom(_)
                | Self::SpanZero
                | Self::SpanParse
                | Self::SpanTryParse
        )
    }
}

const MS: i64 = TPS / 1000;
const MIN: i64 = TPS * 60;
const HOUR: i64 = MIN * 60;
const DAY: i64 = HOUR * 24;

fn unit(name: &str) -> Option<i64> {
    Some(match name {
        "Milliseconds" => MS,
        "Seconds" => TPS,
        "Minutes" => MIN,
        "Hours" => HOUR,
        "Days" => DAY,
        "Ticks" => 1,
        _ => return None,
    })
}

pub(crate) fn resolve_static(c: Class, site: &Site<'_>) -> ResolveResult {
    let r = |f: TimeFn, t: Type| ok(Builtin::Time(f), t);
    let s = site;
    let out = |f: TimeFn, t: Type| {
        Ok(Some(super::Resolved {
            f: Builtin::Time(f),
            ty: Type::Bool,
            out: Some(t),
        }))
    };
    if c == Class::DateTime {
        return match (s.name, s.args) {
            ("UtcNow" | "Now", None) => r(TimeFn::UtcNow, Type::DateTime),
            ("Today", None) => r(TimeFn::Today, Type::DateTime),
            ("MinValue", None) => r(TimeFn::MinValue, Type::DateTime),
            ("MaxValue", None) => r(TimeFn::MaxValue, Type::DateTime),
            ("Parse", Some(a)) if (1..=2).contains(&a.len()) && a[0].fits(Type::String) => {
                r(TimeFn::Parse, Type::DateTime)
            }
            ("ParseExact", Some(a)) if (2..=3).contains(&a.len()) && a[0].fits(Type::String) => {
                r(TimeFn::Parse, Type::DateTime)
            }
            ("TryParse", Some([a, _])) if a.fits(Type::String) => {
                out(TimeFn::TryParse, Type::DateTime)
            }
            ("Compare", Some(_)) if s.is_call("Compare", &[Type::DateTime, Type::DateTime]) => {
                r(TimeFn::Compare, Type::Int)
            }
            _ => Ok(None),
        };
    }
    match (s.name, s.args) {
        ("Zero", None) => r(TimeFn::SpanZero, Type::TimeSpan),
        ("Parse", Some([a])) if a.fits(Type::String) => r(TimeFn::SpanParse, Type::TimeSpan),
        ("TryParse", Some([a, _])) if a.fits(Type::String) => {
            out(TimeFn::SpanTryParse, Type::TimeSpan)
        }
        (n, Some([a])) if n.starts_with("From") && a.fits(Type::Double) => match unit(&n[4..]) {
            Some(u) => r(TimeFn::SpanFrom(u), Type::TimeSpan),
            None => Ok(None),
        },
        _ => Ok(None),
    }
}

pub(crate) fn resolve_instance(recv: Type, site: &Site<'_>) -> ResolveResult {
    let r = |f: TimeFn, t: Type| ok(Builtin::Time(f), t);
    let s = site;
    let is_str_fmt = |a: &[Type]| !a.is_empty() && a.len() <= 2 && a[0].fits(Type::String);
    if recv == Type::DateTime {
        return match (s.name, s.args) {
            (n, Some([a]))
                if n.starts_with("Add") && a.fits(Type::Double) && unit(&n[3..]).is_some() =>
            {
                r(TimeFn::AddUnits(unit(&n[3..]).unwrap_or(1)), Type::DateTime)
            }
            ("AddMonths", Some([Type::Int])) => r(TimeFn::AddMonths, Type::DateTime),
            ("AddYears", Some([Type::Int])) => r(TimeFn::AddYears, Type::DateTime),
            ("Add", Some([Type::TimeSpan])) => r(TimeFn::AddSpan, Type::DateTime),
            ("Subtract", Some([Type::DateTime])) => r(TimeFn::SubtractDate, Type::TimeSpan),
            ("Subtract", Some([Type::TimeSpan])) => r(TimeFn::SubtractSpan, Type::DateTime),
            ("ToString", Some([])) => r(TimeFn::ToString, Type::String),
            ("ToString", Some(a)) if is_str_fmt(a) => r(TimeFn::ToStringFmt, Type::String),
            ("ToUniversalTime" | "ToLocalTime", Some([])) => r(TimeFn::Identity, Type::DateTime),
            ("CompareTo", Some([Type::DateTime])) => r(TimeFn::CompareTo, Type::Int),
            ("Year", None) => r(TimeFn::Part(DatePart::Year), Type::Int),
            ("Month", None) => r(TimeFn::Part(DatePart::Month), Type::Int),
            ("Day", None) => r(TimeFn::Part(DatePart::Day), Type::Int),
            ("Hour", None) => r(TimeFn::Part(DatePart::Hour), Type::Int),
            ("Minute", None) => r(TimeFn::Part(DatePart::Minute), Type::Int),
            ("Second", None) => r(TimeFn::Part(DatePart::Second), Type::Int),
            ("Millisecond", None) => r(TimeFn::Part(DatePart::Millisecond), Type::Int),
            ("DayOfYear", None) => r(TimeFn::Part(DatePart::DayOfYear), Type::Int),
            ("Ticks", None) => r(TimeFn::Ticks, Type::Int),
            ("Date", None) => r(TimeFn::Date, Type::DateTime),
            ("TimeOfDay", None) => r(TimeFn::TimeOfDay, Type::TimeSpan),
            ("DayOfWeek", None) => r(TimeFn::DayOfWeek, Type::String),
            _ => Ok(None),
        };
    }
    match (s.name, s.args) {
        (n, None) if n.starts_with("Total") && unit(&n[5..]).is_some() => {
            r(TimeFn::Total(unit(&n[5..]).unwrap_or(1)), Type::Double)
        }
        ("Days", None) => r(TimeFn::Component(DAY, 0), Type::Int),
        ("Hours", None) => r(TimeFn::Component(HOUR, 24), Type::Int),
        ("Minutes", None) => r(TimeFn::Component(MIN, 60), Type::Int),
        ("Seconds", None) => r(TimeFn::Component(TPS, 60), Type::Int),
        ("Milliseconds", None) => r(TimeFn::Component(MS, 1000), Type::Int),
        ("Ticks", None) => r(TimeFn::Ticks, Type::Int),
        ("Add", Some([Type::TimeSpan])) => r(TimeFn::AddSpan, Type::TimeSpan),
        ("Subtract", Some([Type::TimeSpan])) => r(TimeFn::SubtractSpan, Type::TimeSpan),
        ("Negate", Some([])) => r(TimeFn::Negate, Type::TimeSpan),
        ("Duration", Some([])) => r(TimeFn::Duration, Type::TimeSpan),
        ("ToString", Some([])) => r(TimeFn::ToString, Type::String),
        ("CompareTo", Some([Type::TimeSpan])) => r(TimeFn::CompareTo, Type::Int),
        _ => Ok(None),
    }
}

fn dt(v: &Value) -> Result<DateTime, EvalError> {
    match v {
        Value::DateTime(d) => Ok(*d),
        other => Err(EvalError::invalid_cast(other.type_name(), "DateTime")),
    }
}

fn ts(v: &Value) -> Result<TimeSpan, EvalError> {
    match v {
        Value::TimeSpan(t) => Ok(*t),
        other => Err(EvalError::invalid_cast(other.type_name(), "TimeSpan")),
    }
}

fn cmp<T: Ord>(a: T, b: T) -> Value {
    Value::Int(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    })
}

fn bad_date(s: &str) -> EvalError {
    EvalError::format(format!(
        "String '{s}' was not recognized as a valid DateTime."
    ))
}

pub(crate) fn call(
    f: TimeFn,
    recv: &Value,
    args: &[Value],
    ctx: &dyn EvalContext,
) -> Result<Value, EvalError> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let span = |t: i64| Ok(Value::TimeSpan(TimeSpan::from_ticks(t)));
    match f {
        TimeFn::UtcNow => return Ok(Value::DateTime(DateTime::from_unix(ctx.now()))),
        TimeFn::Today => {
            let now = DateTime::from_unix(ctx.now());
            return Ok(Value::DateTime(
                DateTime::from_ticks(now.ticks() - now.ticks() % DAY).unwrap_or(now),
            ));
        }
        TimeFn::MinValue => {
            return Ok(Value::DateTime(
                DateTime::from_ticks(0).ok_or_else(|| bad_date(""))?,
            ));
        }
        TimeFn::MaxValue => {
            return Ok(Value::DateTime(
                DateTime::from_ticks(3_155_378_975_999_999_999).ok_or_else(|| bad_date(""))?,
            ));
        }
        TimeFn::Parse => {
            let s = a_str(arg(0))?;
            return DateTime::parse(s)
                .map(Value::DateTime)
                .ok_or_else(|| bad_date(s));
        }
        TimeFn::TryParse => {
            let parsed = match arg(0) {
                Value::String(s) => DateTime::parse(s),
                _ => None,
            };
            let out = parsed.map_or(
                Value::DateTime(DateTime::from_ticks(0).ok_or_else(|| bad_date(""))?),
                Value::DateTime,
            );
            return Ok(Value::Array(Arc::from([
                Value::Bool(parsed.is_some()),
                out,
            ])));
        }
        TimeFn::Compare => return Ok(cmp(dt(arg(0))?, dt(arg(1))?)),
        TimeFn::SpanFrom(u) => {
            return Ok(Value::TimeSpan(TimeSpan::from_units(a_num(arg(0))?, u)?));
        }
        TimeFn::SpanZero => return span(0),
        TimeFn::SpanParse => {
            let s = a_str(arg(0))?;
            return TimeSpan::parse(s).map(Value::TimeSpan).ok_or_else(|| {
                EvalError::format(format!(
                    "String '{s}' was not recognized as a valid TimeSpan."
                ))
            });
        }
        TimeFn::SpanTryParse => {
            let parsed = match arg(0) {
                Value::String(s) => TimeSpan::parse(s),
                _ => None,
            };
            return Ok(Value::Array(Arc::from([
                Value::Bool(parsed.is_some()),
                Value::TimeSpan(parsed.unwrap_or_default()),
            ])));
        }
        _ => {}
    }
    if recv.is_null() {
        return Err(EvalError::null_ref());
    }
    if let Value::TimeSpan(t) = recv {
        let t = *t;
        return Ok(match f {
            TimeFn::Total(u) => Value::Double(t.total(u)),
            TimeFn::Component(u, m) => Value::Int(t.component(u, m)),
            TimeFn::Ticks => Value::Int(t.ticks()),
            TimeFn::AddSpan => Value::TimeSpan(TimeSpan::from_ticks(
                t.ticks().saturating_add(ts(arg(0))?.ticks()),
            )),
            TimeFn::SubtractSpan => Value::TimeSpan(TimeSpan::from_ticks(
                t.ticks().saturating_sub(ts(arg(0))?.ticks()),
            )),
            TimeFn::Negate => Value::TimeSpan(TimeSpan::from_ticks(-t.ticks())),
            TimeFn::Duration => Value::TimeSpan(TimeSpan::from_ticks(t.ticks().saturating_abs())),
            TimeFn::CompareTo => cmp(t, ts(arg(0))?),
            _ => str_val(t.to_string()),
        });
    }
    let d = dt(recv)?;
    let odt = d.to_offset_datetime();
    Ok(match f {
        TimeFn::AddUnits(u) => {
            let delta = TimeSpan::from_units(a_num(arg(0))?, u)?;
            Value::DateTime(d.add_ticks(delta.ticks())?)
        }
        TimeFn::AddMonths => Value::DateTime(d.add_months(a_int(arg(0))?)?),
        TimeFn::AddYears => Value::DateTime(d.add_months(a_int(arg(0))?.saturating_mul(12))?),
        TimeFn::AddSpan => Value::DateTime(d.add_ticks(ts(arg(0))?.ticks())?),
        TimeFn::SubtractDate => {
            Value::TimeSpan(TimeSpan::from_ticks(d.ticks() - dt(arg(0))?.ticks()))
        }
        TimeFn::SubtractSpan => Value::DateTime(d.add_ticks(-ts(arg(0))?.ticks())?),
        TimeFn::ToString => str_val(d.to_default_string()),
        TimeFn::ToStringFmt => match arg(0) {
            Value::String(fmt) => str_val(d.format(fmt)),
            _ => str_val(d.to_default_string()),
        },
        TimeFn::Identity => Value::DateTime(d),
        TimeFn::Part(p) => Value::Int(match p {
            DatePart::Year => i64::from(odt.year()),
            DatePart::Month => i64::from(u8::from(odt.month())),
            DatePart::Day => i64::from(odt.day()),
            DatePart::Hour => i64::from(odt.hour()),
            DatePart::Minute => i64::from(odt.minute()),
            DatePart::Second => i64::from(odt.second()),
            DatePart::Millisecond => i64::from(odt.millisecond()),
            DatePart::DayOfYear => i64::from(odt.ordinal()),
        }),
        TimeFn::Ticks => Value::Int(d.ticks()),
        TimeFn::Date => {
            Value::DateTime(DateTime::from_ticks(d.ticks() - d.ticks() % DAY).unwrap_or(d))
        }
        TimeFn::TimeOfDay => Value::TimeSpan(TimeSpan::from_ticks(d.ticks() % DAY)),
        TimeFn::DayOfWeek => str_val(d.format("dddd")),
        TimeFn::CompareTo => cmp(d, dt(arg(0))?),
        _ => Value::Null,
    })
}
