//! Words about a run that a person reads: a text with named blanks and the values that fill them.
//!
//! The core speaks English (the CLI, the trace, the reports, the golden digests), and the lab
//! speaks the page's language. So what a checker saw, a protocol's state changes and timers,
//! the actions applied and what is wrong with a scenario are kept as a [`Detail`]: its `Display`
//! is the English the trace shows, and the lab looks the same text up in its catalogue and fills
//! the translation's blanks with the same values ([`crate::blanks`]). A blank may hold other
//! words instead of a value ([`Blank::Words`]: "expected {what}, found {found}"), looked up
//! in their turn. The core needs no catalogue and no web crate for this.

use serde::Serialize;

/// Words about a run, as a text with named blanks and their values (`"S{a} and S{b} were both
/// leaders of term {term}"`). Its `Display` is the English the CLI, the trace and the report show;
/// the lab shows the same text in the page's language, looked up by the English text (see
/// [`crate::blanks`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    /// The English text with its blanks.
    pub text: &'static str,
    /// What fills each blank, by name.
    pub values: Vec<(&'static str, Blank)>,
}

/// What fills a blank of a [`Detail`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Blank {
    /// Notation (a name, a number, JSON), the same in every language.
    Value(String),
    /// Other words, translated with the text: "expected {what}, found {found}" reads in
    /// Chinese only if "an object" does too. Boxed, so that a blank weighs what a value does.
    Words(Box<Detail>),
}

/// The text of [`Detail::notation`]: a blank and no words, so no language has another.
const NOTATION: &str = "{notation}";

impl Detail {
    /// A text without blanks.
    pub const fn plain(text: &'static str) -> Detail {
        Detail { text, values: Vec::new() }
    }

    /// `text` with these values for its blanks.
    pub fn new(text: &'static str, values: &[(&'static str, &dyn std::fmt::Display)]) -> Detail {
        Detail { text, values: values.iter().map(|(n, v)| (*n, Blank::Value(v.to_string()))).collect() }
    }

    /// Notation without words (a number, `null`, a JSON value, a message of another library),
    /// for a blank of [`Detail::with`] that is sometimes words and sometimes not: it reads the
    /// same in every language.
    pub fn notation(value: impl std::fmt::Display) -> Detail {
        Detail::new(NOTATION, &[("notation", &value)])
    }

    /// The same, with the blank `name` filled by other words (translated where this text is).
    pub fn with(mut self, name: &'static str, words: Detail) -> Detail {
        self.values.push((name, Blank::Words(Box::new(words))));
        self
    }

    /// Another text (the same in another language) with these values in its blanks, the
    /// blanks of words in English.
    pub fn fill(&self, text: &str) -> String {
        self.fill_with(text, &|d: &Detail| d.to_string())
    }

    /// Another text with these values in its blanks, and each blank of words filled by
    /// `words` (which puts them into the same language as `text`).
    pub fn fill_with(&self, text: &str, words: &dyn Fn(&Detail) -> String) -> String {
        crate::blanks::fill(text, |name| {
            self.values.iter().find(|(n, _)| *n == name).map(|(_, blank)| match blank {
                Blank::Value(v) => v.clone(),
                Blank::Words(d) => words(d),
            })
        })
    }
}

impl std::fmt::Display for Detail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A text without values fills to itself: the trace's timers take this path, often.
        if self.values.is_empty() { f.write_str(self.text) } else { f.write_str(&self.fill(self.text)) }
    }
}

/// A detail equals the English it shows: tests and callers that held the message as a
/// `String` compare it so.
impl PartialEq<&str> for Detail {
    fn eq(&self, other: &&str) -> bool {
        if self.values.is_empty() { self.text == *other } else { self.fill(self.text) == *other }
    }
}

/// As its English words: reports keep their form.
impl Serialize for Detail {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_blanks_read_in_english_and_can_be_put_in_another_language() {
        let d = Detail::new("expected {what} at {at}, found {found}", &[("at", &"x")]).with("what", Detail::plain("an object")).with("found", Detail::notation(2.5));
        assert_eq!(d.to_string(), "expected an object at x, found 2.5");
        assert_eq!(d, "expected an object at x, found 2.5");
        let other = |w: &Detail| if w.text == "an object" { "un objet".to_string() } else { w.to_string() };
        assert_eq!(d.fill_with("{what} attendu en {at}, trouvé {found}", &other), "un objet attendu en x, trouvé 2.5");
    }
}
