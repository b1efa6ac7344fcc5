//! The words of one language other than English, looked up by their English text, and the
//! page's current language.

use std::cell::{Cell, RefCell};
use std::fmt::Display;

use super::Lang;

/// One language's words: English text → that language's text. Blanks (`{name}`) are filled
/// after the lookup ([`fill`]), so both texts carry the same names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalogue {
    /// Sorted by the English (a map's code would weigh more on the download than a search).
    words: Vec<(String, String)>,
}

impl Catalogue {
    /// Reads a catalogue file: one JSON object of English text → translation, every value a
    /// non-empty string. The message names what is wrong and where.
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("the language file is not JSON: {e}"))?;
        let serde_json::Value::Object(object) = value else {
            return Err("the language file must be one JSON object (English text → translation)".to_string());
        };
        let mut words = Vec::with_capacity(object.len());
        for (english, value) in object {
            match value {
                serde_json::Value::String(s) if !s.trim().is_empty() => words.push((english, s)),
                _ => return Err(format!("the language file's entry {english:?} is not a non-empty string")),
            }
        }
        // serde_json's object is a sorted map (without its `preserve_order` feature), so the
        // pairs come sorted; the test below looks words up in a file written out of order.
        Ok(Catalogue { words })
    }

    /// The translation of `english`, if the catalogue has it.
    pub fn get(&self, english: &str) -> Option<&str> {
        self.words.binary_search_by(|(k, _)| k.as_str().cmp(english)).ok().map(|i| self.words[i].1.as_str())
    }

    /// Every English text it translates, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|(k, _)| k.as_str())
    }

    /// Every (English, translation) pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.words.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
    // Kept for the page's life (a catalogue is installed once per language), so that a lookup
    // can hand out `&'static str` as the English text in the code is.
    static LOADED: RefCell<Vec<(Lang, &'static Catalogue)>> = const { RefCell::new(Vec::new()) };
}

/// Makes `lang` the page's language, with its catalogue (English needs none; a language whose
/// catalogue was installed before needs none again). Returns the language now in use: `lang`,
/// or the one before when `lang`'s words are not there.
pub fn install(lang: Lang, catalogue: Option<Catalogue>) -> Lang {
    if let Some(c) = catalogue {
        let leaked: &'static Catalogue = Box::leak(Box::new(c));
        LOADED.with(|l| l.borrow_mut().push((lang, leaked)));
    }
    let ready = lang == Lang::En || loaded(lang).is_some();
    if ready {
        CURRENT.with(|c| c.set(lang));
    }
    self::lang()
}

/// The page's language.
// Not inlined (nor `tr`, `fill`): hundreds of call sites would each carry the thread-local's
// access, about 15 KB of the page's download.
#[inline(never)]
pub fn lang() -> Lang {
    CURRENT.with(Cell::get)
}

/// `english` in the page's language (itself in English, or when the catalogue lacks it, which
/// `tests/i18n.rs` keeps from happening).
#[inline(never)]
pub fn tr(english: &'static str) -> &'static str {
    match lang() {
        Lang::En => english,
        other => loaded(other).and_then(|c| c.get(english)).unwrap_or(english),
    }
}

/// `lang`'s catalogue, if installed.
fn loaded(lang: Lang) -> Option<&'static Catalogue> {
    LOADED.with(|l| l.borrow().iter().find(|(l, _)| *l == lang).map(|(_, c)| *c))
}

/// What a checker saw ([`crate::sim::Detail`]) in the page's language: its text looked
/// up like any other, its values put into the translation's blanks, and the words in its
/// other blanks translated so too.
pub fn detail(d: &crate::sim::Detail) -> String {
    d.fill_with(tr(d.text), &detail)
}

/// Why a scenario could not be read, in the page's language: where (the file, a syntax
/// error's line and column, the JSON path, which stay as written) and what is wrong, as
/// [`detail`] puts them. In English it is the error's `Display`, which the CLI prints.
pub fn scenario_error(e: &crate::scenario::ScenarioError) -> String {
    detail(&e.words())
}

/// A text with its blanks (`{name}`) filled by the values of the same names; a blank with no
/// value stays as written, so a slip shows on the page instead of vanishing.
#[inline(never)]
pub fn fill(template: &str, values: &[(&str, &dyn Display)]) -> String {
    crate::blanks::fill(template, |name| values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
}

/// The blanks a text has (`{name}`), in order of first use.
pub fn blanks(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !names.contains(&name) {
            names.push(name);
        }
        rest = &after[close + 1..];
    }
    names
}

/// A text in the page's language: `tr!("Play")` is [`tr`]; with blanks,
/// `tr!("The last {ms} ms.", ms = window)` fills them ([`fill`]) and gives a `String`.
#[macro_export]
macro_rules! tr {
    ($english:literal) => {
        $crate::view::i18n::tr($english)
    };
    ($english:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::view::i18n::fill($crate::view::i18n::tr($english), &[$((stringify!($name), &$value as &dyn ::std::fmt::Display)),+])
    };
}

/// Marks a text for translation where it is written (a table's entry) and leaves it as it is:
/// it is translated where it is shown, with [`tr`]. `tests/i18n.rs` finds it as it finds
/// `tr!`.
#[macro_export]
macro_rules! tr_key {
    ($english:literal) => {
        $english
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_looked_up_in_the_current_language_and_falls_back_to_english() {
        let zh = Catalogue::parse(r#"{"The last {ms} ms.": "最近 {ms} 毫秒。", "Play": "播放"}"#).unwrap();
        assert_eq!(install(Lang::Zh, Some(zh)), Lang::Zh);
        assert_eq!(tr("Play"), "播放");
        assert_eq!(tr("Pause"), "Pause");
        assert_eq!(crate::tr!("The last {ms} ms.", ms = 500), "最近 500 毫秒。");
        assert_eq!(install(Lang::En, None), Lang::En);
        assert_eq!(tr("Play"), "Play");
        // Installed once, a language comes back without its file.
        assert_eq!(install(Lang::Zh, None), Lang::Zh);
        assert_eq!(tr("Play"), "播放");
        install(Lang::En, None);
    }

    #[test]
    fn a_language_without_its_words_is_not_switched_to() {
        // A fresh thread has nothing installed.
        std::thread::spawn(|| {
            assert_eq!(install(Lang::Zh, None), Lang::En);
            assert_eq!(tr("Play"), "Play");
        })
        .join()
        .unwrap();
    }

    #[test]
    fn blanks_are_filled_by_name_and_unknown_ones_stay() {
        assert_eq!(fill("{a} and {b}, {a}", &[("a", &1), ("b", &"two")]), "1 and two, 1");
        assert_eq!(fill("{a} {missing} {", &[("a", &1)]), "1 {missing} {");
        assert_eq!(blanks("m{id} {kind} {id} {} {not a name}"), vec!["id", "kind"]);
    }

    #[test]
    fn a_bad_file_is_named() {
        assert!(Catalogue::parse("[1]").unwrap_err().contains("one JSON object"));
        assert!(Catalogue::parse(r#"{"Play": ""}"#).unwrap_err().contains("\"Play\""));
        assert!(Catalogue::parse(r#"{"Play": 3}"#).unwrap_err().contains("\"Play\""));
        assert!(Catalogue::parse("{").unwrap_err().contains("not JSON"));
    }
}
