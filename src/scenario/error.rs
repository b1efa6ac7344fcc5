//! Errors of scenario files: every message names the file and the JSON path of the culprit
//! (`scenarios/x.json: schedule[3].crash: node 7 is out of range 1..=5`), or the line and column
//! of a JSON syntax error.
//!
//! What is wrong is a [`Detail`], and so is the whole error ([`ScenarioError::words`]): the CLI
//! prints its English, and the lab shows it in the page's language
//! (`view::i18n::scenario_error`), the file, the path and a syntax error's `file:line:column`
//! staying as written.

use std::fmt;

use crate::sim::Detail;

/// Why a scenario could not be read, parsed or built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file, when the scenario came from one.
    pub file: Option<String>,
    /// The JSON path of the offending value (`schedule[3].crash`); empty for the whole document.
    pub path: String,
    /// Line and column (1-based) of a JSON syntax error.
    pub line_col: Option<(usize, usize)>,
    /// What is wrong.
    pub message: Detail,
}

/// What serde_json says of a JSON syntax error, as words to translate: the messages its parser
/// gives for text read into a `Value` (its `ErrorCode`s; those of typed maps cannot occur).
static SYNTAX_REASONS: [Detail; 21] = [
    Detail::plain("EOF while parsing a list"),
    Detail::plain("EOF while parsing an object"),
    Detail::plain("EOF while parsing a string"),
    Detail::plain("EOF while parsing a value"),
    Detail::plain("expected `:`"),
    Detail::plain("expected `,` or `]`"),
    Detail::plain("expected `,` or `}`"),
    Detail::plain("expected ident"),
    Detail::plain("expected value"),
    Detail::plain("expected `\"`"),
    Detail::plain("invalid escape"),
    Detail::plain("invalid number"),
    Detail::plain("number out of range"),
    Detail::plain("invalid unicode code point"),
    Detail::plain("control character (\\u0000-\\u001F) found while parsing a string"),
    Detail::plain("key must be a string"),
    Detail::plain("trailing comma"),
    Detail::plain("trailing characters"),
    Detail::plain("lone leading surrogate in hex escape"),
    Detail::plain("unexpected end of hex escape"),
    Detail::plain("recursion limit exceeded"),
];

impl ScenarioError {
    /// An error about the value at `path`.
    pub fn at(path: impl Into<String>, message: Detail) -> Self {
        ScenarioError { file: None, path: path.into(), line_col: None, message }
    }

    /// An error about the scenario as a whole.
    pub fn whole(message: Detail) -> Self {
        Self::at(String::new(), message)
    }

    /// A JSON syntax error, with its line and column.
    pub fn syntax(err: &serde_json::Error) -> Self {
        let line_col = (err.line() > 0).then(|| (err.line(), err.column()));
        ScenarioError { file: None, path: String::new(), line_col, message: Detail::plain("invalid JSON: {reason}").with("reason", Self::syntax_reason(err)) }
    }

    /// What serde_json says is wrong with a JSON text, without the " at line L column C" it
    /// appends (a caller says where), as words to translate.
    pub fn syntax_reason(err: &serde_json::Error) -> Detail {
        let text = err.to_string();
        let reason = match text.rfind(" at line ") {
            Some(i) if err.line() > 0 => &text[..i],
            _ => text.as_str(),
        };
        // A message of a serde_json newer than this list stays in its English, as notation.
        SYNTAX_REASONS.iter().find(|d| d.text == reason).cloned().unwrap_or_else(|| Detail::notation(reason))
    }

    /// Names the file the scenario came from (kept if one is already named).
    pub fn in_file(mut self, file: Option<&str>) -> Self {
        if self.file.is_none() {
            self.file = file.map(str::to_string);
        }
        self
    }

    /// Where the error is, before its path: the file (`scenarios/x.json`), with a syntax
    /// error's line and column (`scenarios/x.json:3:14`, or `line 3 column 14` without a file);
    /// `None` when neither is known.
    pub fn place(&self) -> Option<Detail> {
        match (&self.file, self.line_col) {
            (Some(file), Some((line, column))) => Some(Detail::notation(format_args!("{file}:{line}:{column}"))),
            (None, Some((line, column))) => Some(Detail::new("line {line} column {column}", &[("line", &line), ("column", &column)])),
            (Some(file), None) => Some(Detail::notation(file)),
            (None, None) => None,
        }
    }

    /// The whole error as words: its place, its path and its message, joined by colons. Its
    /// English is the `Display`; the lab shows it in the page's language.
    pub fn words(&self) -> Detail {
        let mut words = self.message.clone();
        if !self.path.is_empty() {
            words = Detail::new("{at}: {what}", &[("at", &self.path)]).with("what", words);
        }
        if let Some(place) = self.place() {
            words = Detail::plain("{at}: {what}").with("at", place).with("what", words);
        }
        words
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.words())
    }
}

impl std::error::Error for ScenarioError {}

/// The result of scenario parsing.
pub type Result<T, E = ScenarioError> = std::result::Result<T, E>;
