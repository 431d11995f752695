//! Scope merge: global > product > API > operation, through `<base/>` positions.

use crate::model::{Policy, PolicyDocument, Section};

/// Merges scope documents, broadest first (`[global, product?, api, operation]`).
///
/// For each section, the narrower document's `<base/>` is replaced by the broader scopes' merged
/// section at that position; a section without `<base/>` drops everything above it, as in APIM.
/// The broadest document's own `<base/>` is a no-op.
pub fn merge<'a>(scopes: impl IntoIterator<Item = &'a PolicyDocument>) -> PolicyDocument {
    let mut merged: Option<PolicyDocument> = None;
    for doc in scopes {
        let mut next = PolicyDocument::default();
        for section in Section::ALL {
            let out = next.section_mut(section);
            for p in doc.section(section) {
                match p {
                    Policy::Base(_) => {
                        if let Some(parent) = &merged {
                            out.extend(parent.section(section).iter().cloned());
                        }
                    }
                    other => out.push(other.clone()),
                }
            }
        }
        merged = Some(next);
    }
    merged.unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::build::{Cx, document};
    use crate::diag::Diags;
    use crate::model::Scope;
    use crate::template::NamedValues;
    use crate::xml::{Source, parse};

    fn doc(xml: &str, scope: Scope) -> PolicyDocument {
        let src = Source::new("t.xml".into(), xml.to_owned());
        let root = parse(&src).unwrap();
        let mut diags = Diags::default();
        let nvs = NamedValues::default();
        let backends = HashSet::new();
        let schemas = crate::build::Schemas::new();
        let mut cx = Cx {
            src: &src,
            nvs: &nvs,
            diags: &mut diags,
            fragments: None,
            backends: &backends,
            schemas: &schemas,
            scope,
        };
        let d = document(&mut cx, &root);
        assert!(!diags.has_errors(), "{:?}", diags.into_sorted());
        d
    }

    fn names(d: &PolicyDocument, s: Section) -> Vec<String> {
        d.section(s)
            .iter()
            .map(|p| {
                let m = p.meta();
                m.snippet
                    .attrs
                    .iter()
                    .find(|(k, _)| k == "name")
                    .map_or(p.name().to_owned(), |(_, v)| v.clone())
            })
            .collect()
    }

    const GLOBAL: &str = r#"<policies><inbound><set-header name="g" /></inbound><backend><forward-request /></backend><outbound><set-header name="go" /></outbound><on-error /></policies>"#;

    #[test]
    fn base_inlines_parent_at_its_position() {
        let g = doc(GLOBAL, Scope::Global);
        let a = doc(
            r#"<policies><inbound><set-header name="a1" /><base /><set-header name="a2" /></inbound><backend><base /></backend><outbound><base /></outbound></policies>"#,
            Scope::Api,
        );
        let o = doc(
            r#"<policies><inbound><base /><set-header name="o" /></inbound><backend><base /></backend><outbound><set-header name="oo" /></outbound></policies>"#,
            Scope::Operation,
        );
        let m = merge([&g, &a, &o]);
        assert_eq!(names(&m, Section::Inbound), ["a1", "g", "a2", "o"]);
        assert_eq!(names(&m, Section::Backend), ["forward-request"]);
        // The operation's outbound has no <base/>: API and global outbound are dropped.
        assert_eq!(names(&m, Section::Outbound), ["oo"]);
        // on-error missing in the API and operation documents: inherited.
        assert!(m.on_error.is_empty());
    }

    #[test]
    fn scopes_are_recorded_and_global_base_is_a_no_op() {
        let g = doc(
            r#"<policies><inbound><base /><set-header name="g" /></inbound></policies>"#,
            Scope::Global,
        );
        let p = doc(
            r#"<policies><inbound><base /><set-header name="p" /></inbound></policies>"#,
            Scope::Product,
        );
        let m = merge([&g, &p]);
        assert_eq!(names(&m, Section::Inbound), ["g", "p"]);
        let scopes: Vec<_> = m.inbound.iter().map(|p| p.meta().scope).collect();
        assert_eq!(scopes, [Scope::Global, Scope::Product]);
    }
}
