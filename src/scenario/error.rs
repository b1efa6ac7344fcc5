//! Errors of scenario files: every message names the file and the JSON path of the culprit
//! (`scenarios/x.json: schedule[3].crash: node 7 is out of range 1..=5`), or the line and column
//! of a JSON syntax error.

use std::fmt;

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
    pub message: String,
}

impl ScenarioError {
    /// An error about the value at `path`.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        ScenarioError { file: None, path: path.into(), line_col: None, message: message.into() }
    }

    /// An error about the scenario as a whole.
    pub fn whole(message: impl Into<String>) -> Self {
        Self::at(String::new(), message)
    }

    /// A JSON syntax error, with its line and column.
    pub fn syntax(err: &serde_json::Error) -> Self {
        let text = err.to_string();
        // serde_json appends " at line L column C"; the location is reported separately.
        let message = match text.rfind(" at line ") {
            Some(i) if err.line() > 0 => text[..i].to_string(),
            _ => text,
        };
        let line_col = (err.line() > 0).then(|| (err.line(), err.column()));
        ScenarioError { file: None, path: String::new(), line_col, message: format!("invalid JSON: {message}") }
    }

    /// Names the file the scenario came from (kept if one is already named).
    pub fn in_file(mut self, file: Option<&str>) -> Self {
        if self.file.is_none() {
            self.file = file.map(str::to_string);
        }
        self
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prefix = self.file.clone().unwrap_or_default();
        if let Some((line, col)) = self.line_col {
            if prefix.is_empty() {
                prefix = format!("line {line} column {col}");
            } else {
                prefix = format!("{prefix}:{line}:{col}");
            }
        }
        if !prefix.is_empty() {
            write!(f, "{prefix}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// The result of scenario parsing.
pub type Result<T, E = ScenarioError> = std::result::Result<T, E>;
