//! Printing policy documents as XML (for `sigil gateway effective-policy`).
//!
//! Each policy keeps a [`Snippet`] of its element as written (named-value placeholders not
//! expanded, so secrets never print). Expressions are printed raw, the way the APIOps extractor
//! writes them; literal text is XML-escaped. The output reads back through this crate.

use std::fmt::Write as _;

use crate::model::{Policy, PolicyDocument};
use crate::rawxml::starts_expression;
use crate::xml::{Element, Node};

/// An element as written in the source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// Element name.
    pub name: String,
    /// Attributes in order, values decoded.
    pub attrs: Vec<(String, String)>,
    /// Children.
    pub children: Vec<SnippetNode>,
}

/// A child of a [`Snippet`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnippetNode {
    /// A child element.
    Element(Snippet),
    /// Non-blank text, trimmed.
    Text(String),
}

impl Snippet {
    pub(crate) fn from_element(el: &Element) -> Self {
        let children = el
            .children
            .iter()
            .filter_map(|n| match n {
                Node::Element(e) => Some(SnippetNode::Element(Snippet::from_element(e))),
                Node::Text(t) if t.value.trim().is_empty() => None,
                Node::Text(t) => Some(SnippetNode::Text(t.value.trim().to_owned())),
            })
            .collect();
        let attrs = el
            .attrs
            .iter()
            .map(|a| (a.name.clone(), a.value.clone()))
            .collect();
        Self {
            name: el.name.clone(),
            attrs,
            children,
        }
    }

    /// Writes the element at `indent` levels of tab indentation.
    pub fn write(&self, out: &mut String, indent: usize) {
        tabs(out, indent);
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            let _ = write!(out, " {k}=\"{}\"", value_text(v, true));
        }
        if self.children.is_empty() {
            out.push_str(" />\n");
            return;
        }
        out.push('>');
        if let [SnippetNode::Text(t)] = self.children.as_slice() {
            out.push_str(&value_text(t, false));
        } else {
            out.push('\n');
            for c in &self.children {
                match c {
                    SnippetNode::Element(e) => e.write(out, indent + 1),
                    SnippetNode::Text(t) => {
                        tabs(out, indent + 1);
                        out.push_str(&value_text(t, false));
                        out.push('\n');
                    }
                }
            }
            tabs(out, indent);
        }
        let _ = writeln!(out, "</{}>", self.name);
    }
}

fn tabs(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('\t');
    }
}

/// Expressions print raw (rawxml), everything else escaped.
fn value_text(v: &str, in_attr: bool) -> String {
    if starts_expression(v.trim_start().as_bytes(), 0) {
        return v.to_owned();
    }
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '&' => s.push_str("&amp;"),
            '"' if in_attr => s.push_str("&quot;"),
            _ => s.push(c),
        }
    }
    s
}

/// Prints a whole document; each policy is followed by a comment naming the scope and file it
/// comes from, like the portal's "calculate effective policy".
pub fn print_document(doc: &PolicyDocument) -> String {
    let mut out = String::from("<policies>\n");
    for (section, policies) in doc.sections() {
        if policies.is_empty() {
            let _ = writeln!(out, "\t<{} />", section.as_str());
            continue;
        }
        let _ = writeln!(out, "\t<{}>", section.as_str());
        for p in policies {
            write_policy(&mut out, p);
        }
        let _ = writeln!(out, "\t</{}>", section.as_str());
    }
    out.push_str("</policies>\n");
    out
}

fn write_policy(out: &mut String, p: &Policy) {
    let m = p.meta();
    let _ = writeln!(out, "\t\t<!-- {} scope: {} -->", m.scope.as_str(), m.pos);
    m.snippet.write(out, 2);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{Source, parse};

    #[test]
    fn prints_expressions_raw_and_literals_escaped() {
        let src = r#"<set-header name="X" exists-action="override"><value>@(a < "b")</value><value>x &amp; y</value></set-header>"#;
        let el = parse(&Source::new("f".into(), src.into())).unwrap();
        let mut out = String::new();
        Snippet::from_element(&el).write(&mut out, 0);
        assert_eq!(
            out,
            "<set-header name=\"X\" exists-action=\"override\">\n\t<value>@(a < \"b\")</value>\n\t<value>x &amp; y</value>\n</set-header>\n"
        );
        // And it reads back to the same snippet.
        let again = parse(&Source::new("f".into(), out)).unwrap();
        assert_eq!(Snippet::from_element(&again), Snippet::from_element(&el));
    }
}
