//! Chinese and English: which language the page speaks, and its words in it.
//!
//! Every string a person reads is written in English where it is used, wrapped in [`tr`] (or
//! the [`tr!`](crate::tr) macro when it has blanks to fill: `tr!("The last {ms} ms.", ms =
//! window)`), the way gettext marks strings: the English text is the key, so the code reads as
//! the page does. The Chinese words live in one catalogue, `static/i18n/zh.json` (English →
//! 简体中文), which the page downloads only when Chinese is chosen: a page in English carries no
//! Chinese, and adding a language adds a file, not code. `tests/i18n.rs` reads every `tr`
//! in `src/view` and `src/app` and fails when the catalogue lacks one, keeps one nobody uses,
//! or fills different blanks.
//!
//! The language is the page's, not a component's: one per page, set before the first render
//! and changed only by the header's switch (which re-renders everything). It lives in a
//! thread-local because the page has one thread and the native tests one page per thread.
//!
//! Which language: the address's `lang=` first (an instructor's link opens in the language it
//! was made in), then the person's last choice (remembered by the app), then the browser's
//! languages, where any `zh*` gets Chinese ([`Lang::choose`]).

mod catalogue;

pub use catalogue::{Catalogue, blanks, detail, fill, install, lang, scenario_error, tr};

/// A language the page speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// English: the text in the code.
    #[default]
    En,
    /// Simplified Chinese (简体中文): `static/i18n/zh.json`.
    Zh,
}

impl Lang {
    /// Every language, in the order the switch offers them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// Its code in addresses (`lang=zh`), storage and file names.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Its tag for `<html lang>`, which picks a screen reader's voice and the browser's fonts.
    pub fn html_tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// Its name in itself, as the switch shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    /// A language tag (`zh`, `zh-CN`, `zh-Hant-TW`, `en-GB`...) as one of ours, if it is one.
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The browser's languages (`navigator.languages`, most wanted first): Chinese if any of
    /// them is Chinese (a reader who lists it at all reads it), English otherwise.
    pub fn of_browser<S: AsRef<str>>(tags: &[S]) -> Lang {
        if tags.iter().any(|t| Lang::of_tag(t.as_ref()) == Some(Lang::Zh)) { Lang::Zh } else { Lang::En }
    }

    /// The page's language: the address's `lang=` if it names one, else the one the person
    /// chose last time, else the browser's.
    pub fn choose<S: AsRef<str>>(address: Option<&str>, remembered: Option<&str>, browser: &[S]) -> Lang {
        address.and_then(Lang::of_tag).or_else(|| remembered.and_then(Lang::of_tag)).unwrap_or_else(|| Lang::of_browser(browser))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_chinese_in_the_browsers_list_gets_chinese() {
        assert_eq!(Lang::of_browser(&["en-US", "zh-CN"]), Lang::Zh);
        assert_eq!(Lang::of_browser(&["zh-TW"]), Lang::Zh);
        assert_eq!(Lang::of_browser(&["zh_Hans"]), Lang::Zh);
        assert_eq!(Lang::of_browser(&["en-GB", "fr"]), Lang::En);
        assert_eq!(Lang::of_browser::<&str>(&[]), Lang::En);
        assert_eq!(Lang::of_browser(&["de"]), Lang::En);
    }

    #[test]
    fn the_address_wins_then_the_last_choice_then_the_browser() {
        assert_eq!(Lang::choose(Some("en"), Some("zh"), &["zh-CN"]), Lang::En);
        assert_eq!(Lang::choose(None, Some("en"), &["zh-CN"]), Lang::En);
        assert_eq!(Lang::choose(None, None, &["zh-CN"]), Lang::Zh);
        assert_eq!(Lang::choose(Some("zh"), None, &["en"]), Lang::Zh);
        // A value that names no language of ours is passed over, not an error.
        assert_eq!(Lang::choose(Some("fr"), Some("zh"), &["en"]), Lang::Zh);
        assert_eq!(Lang::choose(Some(""), None, &["en"]), Lang::En);
    }

    #[test]
    fn codes_and_tags_read_back() {
        for l in Lang::ALL {
            assert_eq!(Lang::of_tag(l.code()), Some(l));
            assert_eq!(Lang::of_tag(l.html_tag()), Some(l));
        }
    }
}
