//! A small element tree over quick-xml, with original-file positions on every node.
//!
//! quick-xml checks well-formedness (nesting, end names, comments); attribute lists and entity
//! decoding are read here from the raw tag text because the tree needs the exact offset of every
//! attribute value to point expression errors at the right column.

use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::diag::{Diagnostic, LineIndex, Pos};
use crate::rawxml::{self, Prepared};

/// One file's text, read for positions.
#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) file: Arc<str>,
    original: String,
    index: LineIndex,
    prepared: Prepared,
}

impl Source {
    pub(crate) fn new(file: Arc<str>, original: String) -> Self {
        let index = LineIndex::new(&original);
        let prepared = rawxml::prepare(&original);
        Self {
            file,
            original,
            index,
            prepared,
        }
    }

    /// Position of an offset in the prepared text.
    pub(crate) fn pos(&self, prepared_offset: usize) -> Pos {
        self.pos_original(self.prepared.map.to_original(prepared_offset))
    }

    fn pos_original(&self, offset: usize) -> Pos {
        let (line, col) = self.index.line_col(&self.original, offset);
        Pos {
            file: self.file.clone(),
            line,
            col,
        }
    }

    /// Position of byte `decoded_offset` of a decoded value whose raw text starts at `raw_start`.
    pub(crate) fn pos_in_value(&self, loc: &ValueLoc, decoded_offset: usize) -> Pos {
        let raw = self
            .prepared
            .text
            .get(loc.start..loc.end)
            .unwrap_or_default();
        if loc.cdata {
            return self.pos(loc.start + decoded_offset.min(raw.len()));
        }
        let mut decoded = 0;
        let mut i = 0;
        let bytes = raw.as_bytes();
        while i < bytes.len() && decoded < decoded_offset {
            if bytes[i] == b'&' {
                if let Some(semi) = raw[i..].find(';') {
                    decoded += decode_entity(&raw[i + 1..i + semi]).map_or(1, char::len_utf8);
                    i += semi + 1;
                    continue;
                }
            }
            decoded += 1;
            i += 1;
        }
        self.pos(loc.start + i)
    }

    /// Tolerance warnings from the rawxml pre-pass.
    pub(crate) fn warnings(&self) -> Vec<Diagnostic> {
        self.prepared
            .warnings
            .iter()
            .map(|(at, m)| Diagnostic::warning(&self.pos_original(*at), m))
            .collect()
    }
}

/// Where a decoded value's raw text is in the prepared text.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ValueLoc {
    start: usize,
    end: usize,
    cdata: bool,
}

/// An element with its attributes and children.
#[derive(Debug)]
pub(crate) struct Element {
    pub(crate) name: String,
    pub(crate) pos: Pos,
    pub(crate) attrs: Vec<Attr>,
    pub(crate) children: Vec<Node>,
}

/// An attribute, value decoded.
#[derive(Debug)]
pub(crate) struct Attr {
    pub(crate) name: String,
    pub(crate) pos: Pos,
    pub(crate) value: String,
    pub(crate) loc: ValueLoc,
}

/// A child node.
#[derive(Debug)]
pub(crate) enum Node {
    Element(Element),
    Text(Text),
}

/// Character data (text and CDATA), decoded.
#[derive(Debug)]
pub(crate) struct Text {
    pub(crate) value: String,
    pub(crate) pos: Pos,
    pub(crate) loc: ValueLoc,
}

impl Element {
    /// Child elements, in order.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The concatenated text children and the first one's location, or `None` when there is
    /// no text.
    #[cfg(test)]
    pub(crate) fn text(&self) -> Option<(String, &Text)> {
        let mut texts = self.children.iter().filter_map(|n| match n {
            Node::Text(t) => Some(t),
            Node::Element(_) => None,
        });
        let first = texts.next()?;
        let mut all = first.value.clone();
        for t in texts {
            all.push_str(&t.value);
        }
        Some((all, first))
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(src: &Source) -> Result<Element, Diagnostic> {
    let text = src.prepared.text.as_str();
    let mut reader = Reader::from_str(text);
    let cfg = reader.config_mut();
    cfg.trim_text(false);
    cfg.check_end_names = true;
    cfg.check_comments = true;
    cfg.expand_empty_elements = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    // Pending character data: (start, end) in the prepared text.
    let mut pending: Option<(usize, usize)> = None;
    loop {
        let start = offset(reader.buffer_position());
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = offset(reader.error_position());
                return Err(Diagnostic::error(&src.pos(at), format!("XML: {e}")));
            }
        };
        let end = offset(reader.buffer_position());
        if matches!(event, Event::Text(_) | Event::GeneralRef(_)) {
            pending = Some((pending.map_or(start, |p| p.0), end));
            continue;
        }
        if let Some((s, e)) = pending.take() {
            push_text(src, &mut stack, s, e, false)?;
        }
        match event {
            Event::Start(tag) => stack.push(open(src, &tag, start)?),
            Event::Empty(tag) => {
                let el = open(src, &tag, start)?;
                close(&mut stack, &mut root, el)?;
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err(Diagnostic::error(
                        &src.pos(start),
                        "XML: unexpected end tag",
                    ));
                };
                close(&mut stack, &mut root, el)?;
            }
            Event::CData(_) => {
                // `<![CDATA[` is 9 bytes and `]]>` 3.
                push_text(src, &mut stack, start + 9, end.saturating_sub(3), true)?;
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Text(_) | Event::GeneralRef(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(Diagnostic::error(
            &open.pos,
            format!("XML: element <{}> is not closed", open.name),
        ));
    }
    root.ok_or_else(|| Diagnostic::error(&src.pos(0), "XML: the document has no root element"))
}

fn offset(pos: u64) -> usize {
    usize::try_from(pos).unwrap_or(usize::MAX)
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) -> Result<(), Diagnostic> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None if root.is_none() => *root = Some(el),
        None => {
            return Err(Diagnostic::error(
                &el.pos,
                "XML: more than one root element",
            ));
        }
    }
    Ok(())
}

fn push_text(
    src: &Source,
    stack: &mut [Element],
    start: usize,
    end: usize,
    cdata: bool,
) -> Result<(), Diagnostic> {
    let raw = src.prepared.text.get(start..end).unwrap_or_default();
    let loc = ValueLoc { start, end, cdata };
    let value = if cdata {
        raw.to_owned()
    } else {
        decode(raw).map_err(|at| {
            Diagnostic::error(&src.pos(start + at), "XML: unknown entity reference")
        })?
    };
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(Node::Text(Text {
                value,
                pos: src.pos(start),
                loc,
            }));
            Ok(())
        }
        None if value.trim().is_empty() => Ok(()),
        None => Err(Diagnostic::error(
            &src.pos(start),
            "XML: text outside the root element",
        )),
    }
}

/// Builds an element from a start tag at prepared offset `start` (the `<`).
fn open(src: &Source, tag: &str, start: usize) -> Result<Element, Diagnostic> {
    let name_len = tag
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(tag.len());
    let name = tag[..name_len].trim_end_matches('/').to_owned();
    let pos = src.pos(start);
    let mut attrs: Vec<Attr> = Vec::new();
    let bytes = tag.as_bytes();
    let base = start + 1;
    let mut i = name_len;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'/' {
            break;
        }
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'=' {
            i += 1;
        }
        let attr_name = &tag[name_start..i];
        let at = src.pos(base + name_start);
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return Err(Diagnostic::error(
                &at,
                format!("XML: attribute '{attr_name}' has no value"),
            ));
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let Some(&q @ (b'"' | b'\'')) = bytes.get(i) else {
            return Err(Diagnostic::error(
                &at,
                format!("XML: value of attribute '{attr_name}' is not quoted"),
            ));
        };
        let vstart = i + 1;
        let Some(len) = bytes[vstart..].iter().position(|&c| c == q) else {
            return Err(Diagnostic::error(
                &at,
                format!("XML: value of attribute '{attr_name}' is not closed"),
            ));
        };
        let raw = &tag[vstart..vstart + len];
        if let Some(lt) = raw.find('<') {
            return Err(Diagnostic::error(
                &src.pos(base + vstart + lt),
                "XML: '<' in an attribute value",
            ));
        }
        let value = decode(raw).map_err(|off| {
            Diagnostic::error(
                &src.pos(base + vstart + off),
                "XML: unknown entity reference",
            )
        })?;
        if attrs.iter().any(|a| a.name == attr_name) {
            return Err(Diagnostic::error(
                &at,
                format!("XML: duplicate attribute '{attr_name}'"),
            ));
        }
        let loc = ValueLoc {
            start: base + vstart,
            end: base + vstart + len,
            cdata: false,
        };
        attrs.push(Attr {
            name: attr_name.to_owned(),
            pos: at,
            value,
            loc,
        });
        i = vstart + len + 1;
    }
    Ok(Element {
        name,
        pos,
        attrs,
        children: Vec::new(),
    })
}

/// Decodes XML character and entity references; `Err` holds the offset of a bad reference.
pub(crate) fn decode(raw: &str) -> Result<String, usize> {
    if !raw.contains('&') {
        return Ok(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    let mut consumed = 0;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';').filter(|&n| n <= 10).ok_or(consumed + amp)?;
        out.push(decode_entity(&after[..semi]).ok_or(consumed + amp)?);
        let step = amp + 1 + semi + 1;
        consumed += step;
        rest = &rest[step..];
    }
    out.push_str(rest);
    Ok(out)
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(src: &str) -> Result<Element, Diagnostic> {
        parse(&Source::new("p.xml".into(), src.to_owned()))
    }

    #[test]
    fn reads_rawxml_attributes_and_text() {
        let src = "<policies>\n  <inbound>\n    <set-variable name=\"t\" value=\"@(h.Get(\"X\") &amp;&amp; a < b)\" />\n    <set-body>@{ return b.As<JObject>(); }</set-body>\n  </inbound>\n</policies>";
        let root = tree(src).unwrap();
        let inbound = root.elements().next().unwrap();
        let mut els = inbound.elements();
        let sv = els.next().unwrap();
        assert_eq!(sv.attrs[1].value, "@(h.Get(\"X\") && a < b)");
        assert_eq!((sv.pos.line, sv.pos.col), (3, 5));
        assert_eq!((sv.attrs[1].pos.line, sv.attrs[1].pos.col), (3, 28));
        let body = els.next().unwrap();
        assert_eq!(body.text().unwrap().0, "@{ return b.As<JObject>(); }");
    }

    #[test]
    fn value_positions_survive_escaping() {
        let src = "<a v=\"@(x(&quot;q&quot;) + y(\"z\"))\"/>";
        let s = Source::new("p.xml".into(), src.to_owned());
        let root = parse(&s).unwrap();
        let attr = &root.attrs[0];
        let y = attr.value.find('y').unwrap();
        assert_eq!(
            s.pos_in_value(&attr.loc, y).col as usize,
            src.find('y').unwrap() + 1
        );
    }

    #[test]
    fn errors_point_at_the_original_line() {
        let err = tree("<policies>\n<inbound>\n</outbound>\n</policies>").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = tree("<a>\n  <b x=\"1\" x=\"2\"/></a>").unwrap_err();
        assert_eq!((err.line, err.col), (2, 12));
        assert!(err.message.contains("duplicate"), "{err}");
        assert!(tree("<a>&bogus;</a>").is_err());
        assert!(tree("<a>").is_err());
        assert!(tree("").is_err());
    }

    #[test]
    fn decode_handles_numeric_references() {
        assert_eq!(decode("a&#65;&#x42;&lt;").unwrap(), "aAB<");
        assert_eq!(decode("x &nope; y"), Err(2));
    }
}
