//! Words about a run that a person reads: a text with named blanks and the values that fill them.
//!
//! The core speaks English (the CLI, the trace, the reports, the golden digests), and the lab
//! speaks the page's language. So what a checker saw, a protocol's state changes and timers, and
//! the actions applied are kept as a [`Detail`]: its `Display` is the English the trace shows,
//! and the lab looks the same text up in its catalogue and fills the translation's blanks with
//! the same values ([`crate::blanks`]). The core needs no catalogue and no web crate for this.

use serde::Serialize;

/// Words about a run, as a text with named blanks and their values (`"S{a} and S{b} were both
/// leaders of term {term}"`). Its `Display` is the English the CLI, the trace and the report show;
/// the lab shows the same text in the page's language, looked up by the English text (see
/// [`crate::blanks`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    /// The English text with its blanks.
    pub text: &'static str,
    /// The value of each blank, by name.
    pub values: Vec<(&'static str, String)>,
}

impl Detail {
    /// A text without blanks.
    pub const fn plain(text: &'static str) -> Detail {
        Detail { text, values: Vec::new() }
    }

    /// `text` with these values for its blanks.
    pub fn new(text: &'static str, values: &[(&'static str, &dyn std::fmt::Display)]) -> Detail {
        Detail { text, values: values.iter().map(|(n, v)| (*n, v.to_string())).collect() }
    }

    /// Another text (the same in another language) with these values in its blanks.
    pub fn fill(&self, text: &str) -> String {
        crate::blanks::fill(text, |name| self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()))
    }
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A text without values fills to itself: the trace's timers take this path, often.
        if self.values.is_empty() { f.write_str(self.text) } else { f.write_str(&self.fill(self.text)) }
    }
}

/// As its English words: reports keep their form.
impl Serialize for Detail {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
