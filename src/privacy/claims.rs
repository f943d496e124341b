//! Claims on the text: each detector claims the spans it recognises, first come first served, and
//! the claims are rendered into the redacted text at the end.

use regex::{Captures, Regex};

use super::{PiiKind, Redacted};

/// Like `captures_iter`, but a rejected candidate only skips one character, so a real value that
/// starts inside a rejected one is still found. `accept` returns where the accepted value ends.
pub fn scan<'t>(re: &Regex, text: &'t str, mut accept: impl FnMut(&Captures<'t>) -> Option<usize>) {
    let mut pos = 0;
    while pos <= text.len() {
        let Some(caps) = re.captures_at(text, pos) else {
            break;
        };
        let Some(m) = caps.get(0) else { break };
        pos = match accept(&caps) {
            Some(end) if end > m.start() => end,
            _ => next_boundary(text, m.start()),
        };
    }
}

fn next_boundary(text: &str, i: usize) -> usize {
    i + text
        .get(i..)
        .and_then(|s| s.chars().next())
        .map_or(1, char::len_utf8)
}

pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: PiiKind,
    /// The postcode keeps its area digits and always reads "9401 [postcode]", written joined or not.
    pub spaced: bool,
}

#[derive(Default)]
pub struct Claims(Vec<Span>);

impl Claims {
    pub fn claim(&mut self, start: usize, end: usize, kind: PiiKind) -> bool {
        self.claim_span(Span {
            start,
            end,
            kind,
            spaced: false,
        })
    }

    /// First come, first served: recognisers run most specific first.
    pub fn claim_span(&mut self, span: Span) -> bool {
        let free = span.start < span.end
            && self
                .0
                .iter()
                .all(|s| span.end <= s.start || s.end <= span.start);
        if free {
            self.0.push(span);
        }
        free
    }

    pub fn render(mut self, text: &str) -> Redacted {
        self.0.sort_by_key(|s| s.start);
        let mut out = String::with_capacity(text.len());
        let mut found = Vec::with_capacity(self.0.len());
        let mut last = 0;
        for span in &self.0 {
            out.push_str(&text[last..span.start]);
            if span.spaced {
                out.push(' ');
            }
            out.push_str(span.kind.placeholder());
            found.push(span.kind);
            last = span.end;
        }
        out.push_str(&text[last..]);
        Redacted { text: out, found }
    }
}
