//! `validate-parameters` (request path, query and headers), `validate-headers` (response
//! headers) and `validate-status-code`, against the operation's specification.
//!
//! Not parameters, so never "unspecified": `Content-Type` and `Content-Length` (the body's
//! framing, described by the body's media types) and the API's subscription key header and
//! query parameter (consumed by the gateway).

use std::borrow::Cow;
use std::collections::HashMap;

use percent_encoding::percent_decode_str;
use sigil_policy::contract::{CoerceError, Contract, Kind, Param, ParamIn, coerce};
use sigil_policy::model::{
    NamedAction, ParameterGroup, ValidateHeaders, ValidateParameters, ValidateStatusCode,
    ValidationAction,
};

use super::{Problem, Report, action};
use crate::context::Exchange;
use crate::errors::Fault;
use crate::exec::Target;

const FRAMING: [&str; 2] = ["content-type", "content-length"];

pub(crate) fn validate_parameters(
    ex: &mut Exchange<'_>,
    v: &ValidateParameters,
    target: Target,
) -> Result<(), Fault> {
    let mut report = Report::new(
        "validate-parameters",
        v.errors_variable_name.as_deref(),
        target,
    );
    let checked = check_parameters(ex, v, &mut report);
    let finished = report.finish(ex);
    checked?;
    finished
}

/// The actions for one location: the group's override of the policy's, and per-name ones.
struct Actions<'p> {
    specified: ValidationAction,
    unspecified: ValidationAction,
    named: &'p [NamedAction],
    headers: bool,
}

impl Actions<'_> {
    fn new<'p>(
        ex: &Exchange<'_>,
        v: &ValidateParameters,
        group: Option<&'p ParameterGroup>,
        headers: bool,
    ) -> Result<Actions<'p>, Fault> {
        let pick = |own: Option<&_>, base| match own {
            Some(t) => action(ex, t),
            None => action(ex, base),
        };
        Ok(Actions {
            specified: pick(
                group.and_then(|g| g.specified_parameter_action.as_ref()),
                &v.specified_parameter_action,
            )?,
            unspecified: pick(
                group.and_then(|g| g.unspecified_parameter_action.as_ref()),
                &v.unspecified_parameter_action,
            )?,
            named: group.map_or(&[], |g| g.parameters.as_slice()),
            headers,
        })
    }

    fn for_name(&self, name: &str, specified: bool) -> ValidationAction {
        let hit = self.named.iter().find(|n| {
            if self.headers {
                n.name.eq_ignore_ascii_case(name)
            } else {
                n.name == name
            }
        });
        match hit {
            Some(n) => n.action,
            None if specified => self.specified,
            None => self.unspecified,
        }
    }
}

fn check_parameters(
    ex: &Exchange<'_>,
    v: &ValidateParameters,
    report: &mut Report<'_>,
) -> Result<(), Fault> {
    let Some(op) = ex.who.operation else {
        return Ok(());
    };
    let c = &op.contract;
    let keys = &ex.who.api.subscription_key_names;

    let path = Actions::new(ex, v, v.path.as_ref(), false)?;
    for p in c.params_in(ParamIn::Path) {
        let Some((_, raw)) = ex
            .matched
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&p.name))
        else {
            continue;
        };
        let value = percent_decode_str(raw).decode_utf8_lossy();
        if let Some(problem) = check_value(p, &[&value]) {
            if report.add(problem, path.for_name(&p.name, true)).is_err() {
                return Ok(());
            }
        }
    }

    let query = Actions::new(ex, v, v.query.as_ref(), false)?;
    // One pass groups the values by name (first-seen order): a URL with thousands of
    // parameters costs linear time, not quadratic.
    let mut grouped: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (k, val) in &ex.query {
        match index.get(k.as_str()) {
            Some(&i) => grouped[i].1.push(val),
            None => {
                index.insert(k, grouped.len());
                grouped.push((k, vec![val]));
            }
        }
    }
    let names = grouped
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| *name != keys.query);
    let values = |name: &str| {
        index.get(name).map_or_else(Vec::new, |&i| {
            grouped[i].1.iter().map(|v| Cow::Borrowed(*v)).collect()
        })
    };
    let has = |name: &str| index.contains_key(name);
    if check_location(report, c, ParamIn::Query, &query, names, values, has).is_err() {
        return Ok(());
    }

    let headers = Actions::new(ex, v, v.headers.as_ref(), true)?;
    let h = &ex.req_headers;
    let names = h
        .keys()
        .map(http::HeaderName::as_str)
        .filter(|name| !FRAMING.contains(name) && !name.eq_ignore_ascii_case(&keys.header));
    let values = |name: &str| {
        h.get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
            .collect()
    };
    let has = |name: &str| h.contains_key(name);
    // The last location: a full report needs no early return here.
    let _ = check_location(report, c, ParamIn::Header, &headers, names, values, has);
    Ok(())
}

/// Checks the parameters present at one location (`names`, each with its `values`) against the
/// contract, then reports the required ones that are absent. `Err` when the report is full.
fn check_location<'n>(
    report: &mut Report<'_>,
    c: &Contract,
    at: ParamIn,
    actions: &Actions<'_>,
    names: impl Iterator<Item = &'n str>,
    values: impl Fn(&str) -> Vec<Cow<'n, str>>,
    has: impl Fn(&str) -> bool,
) -> Result<(), ()> {
    for name in names {
        let (problem, specified) = match c.params_in(at).find(|p| p.is(name)) {
            Some(p) => {
                let owned = values(name);
                let refs: Vec<&str> = owned.iter().map(AsRef::as_ref).collect();
                (check_value(p, &refs), true)
            }
            None => (Some(unspecified(at, name)), false),
        };
        if let Some(problem) = problem {
            report.add(problem, actions.for_name(name, specified))?;
        }
    }
    for p in c.params_in(at).filter(|p| p.required) {
        if !has(p.name.as_str()) {
            report.add(missing(p), actions.for_name(&p.name, true))?;
        }
    }
    Ok(())
}

/// APIM's problem for a parameter the specification does not declare.
fn unspecified(at: ParamIn, name: &str) -> Problem {
    let details = format!("Unspecified {} {name} is not allowed.", at.words());
    if at == ParamIn::ResponseHeader {
        Problem::masked(Some(name.into()), at.error_type(), "Unspecified", details)
    } else {
        Problem::new(
            Some(name.into()),
            at.error_type(),
            "Unspecified",
            details,
            None,
        )
    }
}

/// A required parameter that is absent (Sigil's wording; APIM's table has no entry for it).
fn missing(p: &Param) -> Problem {
    let details = format!(
        "Value of the {} {} does not conform to the definition.\n\nThe {} is required but missing.",
        p.location.words(),
        p.name,
        p.location.words()
    );
    incorrect(p, details)
}

fn incorrect(p: &Param, details: String) -> Problem {
    if p.location == ParamIn::ResponseHeader {
        Problem::masked(
            Some(p.name.clone()),
            p.location.error_type(),
            "IncorrectMessage",
            details,
        )
    } else {
        Problem::new(
            Some(p.name.clone()),
            p.location.error_type(),
            "IncorrectMessage",
            details,
            None,
        )
    }
}

/// Reads a declared parameter's values as its type and checks them against its schema.
fn check_value(p: &Param, values: &[&str]) -> Option<Problem> {
    let words = p.location.words();
    let name = &p.name;
    let value = match coerce(values, p.split, &p.kind) {
        Ok(v) => v,
        Err(CoerceError::Multiple) => {
            let who = if p.location == ParamIn::ResponseHeader {
                "Response"
            } else {
                "Request"
            };
            return Some(incorrect(
                p,
                format!("{who} cannot contain multiple values for the {words} {name}."),
            ));
        }
        Err(e) => {
            let details = format!(
                "Value of the {words} {name} cannot be parsed according to the definition.\n\n{e}."
            );
            let mut problem = incorrect(p, details);
            if p.location != ParamIn::ResponseHeader {
                problem.public = format!(
                    "Value of the {words} {name} couldn't be parsed according to the definition.\n\n{e}."
                );
            }
            return Some(problem);
        }
    };
    // Object parameters have no agreed text form: their values are not checked.
    if p.kind == Kind::Object {
        return None;
    }
    let violation = p.schema()?.check(&value).err()?;
    let details =
        format!("Value of the {words} {name} does not conform to the definition.\n\n{violation}");
    let mut problem = incorrect(p, details);
    if p.location != ParamIn::ResponseHeader {
        problem.public = format!(
            "The value of the {words} {name} does not conform to the definition.\n\n{violation}"
        );
    }
    Some(problem)
}

pub(crate) fn validate_headers(
    ex: &mut Exchange<'_>,
    v: &ValidateHeaders,
    target: Target,
) -> Result<(), Fault> {
    let mut report = Report::new(
        "validate-headers",
        v.errors_variable_name.as_deref(),
        target,
    );
    let checked = check_headers(ex, v, &mut report);
    let finished = report.finish(ex);
    checked?;
    finished
}

fn check_headers(
    ex: &Exchange<'_>,
    v: &ValidateHeaders,
    report: &mut Report<'_>,
) -> Result<(), Fault> {
    let (Some(op), Some(resp)) = (ex.who.operation, ex.response.as_ref()) else {
        return Ok(());
    };
    let actions = Actions {
        specified: action(ex, &v.specified_header_action)?,
        unspecified: action(ex, &v.unspecified_header_action)?,
        named: &v.headers,
        headers: true,
    };
    let declared = op.contract.response(resp.status);
    for name in resp.headers.keys() {
        let name = name.as_str();
        if FRAMING.contains(&name) {
            continue;
        }
        let (problem, specified) = match declared.and_then(|d| d.header(name)) {
            Some(p) => {
                let values: Vec<String> = resp
                    .headers
                    .get_all(name)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect();
                let refs: Vec<&str> = values.iter().map(String::as_str).collect();
                (check_value(p, &refs), true)
            }
            None => (Some(unspecified(ParamIn::ResponseHeader, name)), false),
        };
        if let Some(problem) = problem {
            if report
                .add(problem, actions.for_name(name, specified))
                .is_err()
            {
                return Ok(());
            }
        }
    }
    for p in declared
        .iter()
        .flat_map(|d| d.headers.iter())
        .filter(|p| p.required)
    {
        if !resp.headers.contains_key(p.name.as_str())
            && report
                .add(missing(p), actions.for_name(&p.name, true))
                .is_err()
        {
            return Ok(());
        }
    }
    Ok(())
}

pub(crate) fn validate_status_code(
    ex: &mut Exchange<'_>,
    v: &ValidateStatusCode,
    target: Target,
) -> Result<(), Fault> {
    let Some(status) = ex.response.as_ref().map(|r| r.status) else {
        return Ok(());
    };
    let declared = ex
        .who
        .operation
        .is_some_and(|o| o.contract.declares_status(status));
    if declared {
        return Ok(());
    }
    let act = match v.status_codes.iter().find(|(c, _)| *c == status) {
        Some((_, a)) => *a,
        None => action(ex, &v.unspecified_status_code_action)?,
    };
    let mut report = Report::new(
        "validate-status-code",
        v.errors_variable_name.as_deref(),
        target,
    );
    let _ = report.add(
        Problem::masked(
            Some(status.to_string()),
            "StatusCode",
            "Unspecified",
            format!("Response status code {status} is not allowed."),
        ),
        act,
    );
    report.finish(ex)
}
