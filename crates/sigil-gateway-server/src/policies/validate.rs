//! The content validation policies: `validate-content` (`content`), `validate-parameters`,
//! `validate-headers` and `validate-status-code` (`params`).
//!
//! Every problem becomes an APIM validation error `{Name, Type, ValidationRule, Details,
//! Action}`. `detect` logs it and adds it to `errors-variable-name`; `prevent` does the same
//! and stops at that first error with `Fault::validation` (400 with the public text inbound,
//! 502 masked outbound); `ignore` skips the check.

mod content;
mod decode;
mod params;

use std::sync::Arc;

use serde_json::{Value as Json, json};
use sigil_expr::Value;
use sigil_policy::model::ValidationAction;
use sigil_policy::template::Typed;

use crate::context::Exchange;
use crate::errors::{Fault, MSG_VALIDATION_MASKED};
use crate::exec::Target;

pub(crate) use content::validate_content;
pub(crate) use params::{validate_headers, validate_parameters, validate_status_code};

/// Most errors one policy run records (`detect`); checking stops there.
const MAX_PROBLEMS: usize = 100;

/// One validation error, as APIM reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    /// `Name`: the content type, parameter, header or status code concerned (`None` where
    /// APIM leaves it empty, e.g. a size limit).
    name: Option<String>,
    /// `Type`: `RequestBody`, `QueryParameter`, `ResponseHeader`, `StatusCode` ...
    kind: &'static str,
    /// `ValidationRule`: `SizeLimit`, `Unspecified`, `IncorrectMessage`, ...
    rule: &'static str,
    /// `Details`: for logs and `context.LastError.Message`.
    details: String,
    /// What the caller is told (request side only; responses are always masked).
    public: String,
}

impl Problem {
    fn new(
        name: Option<String>,
        kind: &'static str,
        rule: &'static str,
        details: String,
        public: Option<String>,
    ) -> Self {
        Self {
            name,
            kind,
            rule,
            public: public.unwrap_or_else(|| details.clone()),
            details,
        }
    }

    /// A problem whose public text is APIM's masked one (schema failures, exceptions).
    fn masked(
        name: Option<String>,
        kind: &'static str,
        rule: &'static str,
        details: String,
    ) -> Self {
        Self::new(
            name,
            kind,
            rule,
            details,
            Some(MSG_VALIDATION_MASKED.into()),
        )
    }
}

/// Collects the problems of one policy run and applies their actions.
pub(crate) struct Report<'p> {
    policy: &'static str,
    variable: Option<&'p str>,
    response: bool,
    found: Vec<(Problem, ValidationAction)>,
}

impl<'p> Report<'p> {
    pub(crate) fn new(policy: &'static str, variable: Option<&'p str>, target: Target) -> Self {
        Self {
            policy,
            variable,
            response: target == Target::Response,
            found: Vec::new(),
        }
    }

    /// Records `p` under `action`. `Err` (stop now) for `prevent`: the error is the fault to
    /// raise once the variable is written ([`Report::finish`] does both). Also `Err` once
    /// [`MAX_PROBLEMS`] are recorded: a message with thousands of bad parameters is not worth
    /// thousands of log lines.
    fn add(&mut self, p: Problem, action: ValidationAction) -> Result<(), ()> {
        match action {
            ValidationAction::Ignore => Ok(()),
            ValidationAction::Detect => {
                self.found.push((p, action));
                if self.found.len() >= MAX_PROBLEMS {
                    return Err(());
                }
                Ok(())
            }
            ValidationAction::Prevent => {
                self.found.push((p, action));
                Err(())
            }
        }
    }

    /// Logs what was found, adds it to the errors variable, and fails on a `prevent`.
    fn finish(self, ex: &mut Exchange<'_>) -> Result<(), Fault> {
        if self.found.is_empty() {
            return Ok(());
        }
        let mut entries = Vec::with_capacity(self.found.len());
        for (p, action) in &self.found {
            tracing::info!(
                target: "sigil_gateway::validation",
                request_id = %ex.request_id,
                policy = self.policy,
                name = p.name.as_deref().unwrap_or(""),
                kind = p.kind,
                rule = p.rule,
                action = %action,
                "{}",
                p.details
            );
            entries.push(json!({
                "Name": p.name,
                "Type": p.kind,
                "ValidationRule": p.rule,
                "Details": p.details,
                "Action": action.to_string(),
            }));
        }
        if let Some(var) = self.variable {
            // Several policies may share one variable: errors accumulate.
            let mut list = match ex.variables.get(var) {
                Some(Value::Json(j)) => j.as_array().cloned().unwrap_or_default(),
                _ => Vec::new(),
            };
            list.extend(entries);
            ex.variables
                .insert(var.to_owned(), Value::Json(Arc::new(Json::Array(list))));
        }
        match self
            .found
            .into_iter()
            .find(|(_, a)| *a == ValidationAction::Prevent)
        {
            Some((p, _)) => Err(Fault::validation(
                self.policy,
                self.response,
                p.details,
                p.public,
            )),
            None => Ok(()),
        }
    }
}

/// Evaluates an action attribute that may be an expression.
fn action(ex: &Exchange<'_>, t: &Typed<ValidationAction>) -> Result<ValidationAction, Fault> {
    match t {
        Typed::Literal(a) => Ok(*a),
        Typed::Expression(e) => {
            let v = e
                .compiled()
                .eval(ex)
                .map_err(|err| Fault::expression(&err))?;
            let text = v.to_dotnet_string();
            text.trim()
                .to_ascii_lowercase()
                .parse()
                .map_err(|()| Fault::bad_value("A validation action", &text))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detected_problems_are_capped_and_prevent_stops() {
        let p = || Problem::new(None, "QueryParameter", "Unspecified", "d".into(), None);
        let mut r = Report::new("validate-parameters", None, Target::Request);
        for _ in 0..MAX_PROBLEMS - 1 {
            assert_eq!(r.add(p(), ValidationAction::Detect), Ok(()));
        }
        assert_eq!(r.add(p(), ValidationAction::Ignore), Ok(()));
        assert_eq!(r.add(p(), ValidationAction::Detect), Err(()));
        assert_eq!(r.found.len(), MAX_PROBLEMS);
        let mut r = Report::new("validate-parameters", None, Target::Request);
        assert_eq!(r.add(p(), ValidationAction::Prevent), Err(()));
    }

    #[test]
    fn problems_default_their_public_text_to_the_details() {
        let p = Problem::new(None, "RequestBody", "SizeLimit", "d".into(), None);
        assert_eq!(p.public, "d");
        let m = Problem::masked(None, "ResponseBody", "SizeLimit", "d".into());
        assert_eq!(m.public, MSG_VALIDATION_MASKED);
    }
}
