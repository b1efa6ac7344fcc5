//! What the page's address asks for: `?embed=1&panels=invariants,log` (the compact view for an
//! iframe in course material), `?scenario=raft-figure8.json` (open a shipped scenario) and
//! `?autoplay=0` (open paused: a page otherwise plays its scenario as it opens). The
//! fragment, `#run=...`, is a shared moment: see [`super::share`].

/// The panels an embedded lab may show besides the stage and its controls, by `panels=` name.
pub const PANELS: &[&str] = &["guide", "invariants", "inspector", "logs", "events", "spacetime", "network", "timeline"];

/// How the page was asked to look.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageOptions {
    /// `?embed=1`: the compact view for an iframe.
    pub embed: bool,
    /// `?panels=invariants,logs`: what an embedded lab shows besides the stage and its
    /// controls (outside embed mode, everything shows).
    pub panels: Vec<String>,
    /// `?scenario=raft-figure8.json`.
    pub scenario: Option<String>,
    /// `?autoplay=0` or `=1`: whether the page plays its scenario as it opens (see
    /// [`PageOptions::plays_at_start`]).
    pub autoplay: Option<bool>,
    /// Names in `panels=` that mean nothing, for a visible note rather than a silent miss.
    pub unknown_panels: Vec<String>,
    /// `?lang=zh` or `=en`: the language the link was made in (see [`super::i18n::Lang::choose`]).
    pub lang: Option<String>,
}

impl PageOptions {
    /// Reads a query string (`?a=1&b=2`, the `?` optional).
    pub fn parse(search: &str) -> PageOptions {
        let mut options = PageOptions::default();
        for pair in search.trim_start_matches('?').split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match key {
                "embed" => options.embed = !matches!(value.as_str(), "0" | "false" | "no"),
                "panels" => {
                    for p in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        if PANELS.contains(&p) {
                            options.panels.push(p.to_string());
                        } else {
                            options.unknown_panels.push(p.to_string());
                        }
                    }
                }
                "scenario" if !value.is_empty() => options.scenario = Some(value),
                "autoplay" => options.autoplay = Some(!matches!(value.as_str(), "0" | "false" | "no")),
                "lang" if !value.is_empty() => options.lang = Some(value),
                _ => {}
            }
        }
        options
    }

    /// Whether the page plays as it opens: yes, unless the person asked for less motion
    /// (`prefers-reduced-motion`, which `autoplay=1` does not override) or the address says
    /// `autoplay=0`; a link to a moment (`#run=`) opens paused there unless it says
    /// `autoplay=1`.
    pub fn plays_at_start(&self, reduced_motion: bool, link: bool) -> bool {
        !reduced_motion && self.autoplay.unwrap_or(!link)
    }

    /// Whether a panel shows.
    pub fn shows(&self, panel: &str) -> bool {
        !self.embed || self.panels.iter().any(|p| p == panel)
    }
}

/// `search` (a query string, its `?` optional) with `key=value` in place of any `key=` it had,
/// the other pairs kept in their order; the result starts with `?`.
pub fn with_param(search: &str, key: &str, value: &str) -> String {
    let mut pairs: Vec<&str> = search.trim_start_matches('?').split('&').filter(|p| !p.is_empty() && percent_decode(p.split_once('=').map_or(p, |(k, _)| k)) != key).collect();
    let pair = format!("{key}={value}");
    pairs.push(&pair);
    format!("?{}", pairs.join("&"))
}

/// `%XX` and `+` decoding of a query value; a malformed escape stays as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_keeps_its_language() {
        assert_eq!(PageOptions::parse("?lab=paxos&lang=zh").lang.as_deref(), Some("zh"));
        assert_eq!(PageOptions::parse("?lang=").lang, None);
        assert_eq!(with_param("?lab=paxos&lang=en&embed=1", "lang", "zh"), "?lab=paxos&embed=1&lang=zh");
        assert_eq!(with_param("", "lang", "en"), "?lang=en");
    }

    #[test]
    fn a_page_plays_as_it_opens_unless_asked_not_to() {
        assert!(PageOptions::parse("").plays_at_start(false, false));
        assert!(PageOptions::parse("?embed=1").plays_at_start(false, false));
        assert!(!PageOptions::parse("?embed=1&autoplay=0").plays_at_start(false, false));
        assert!(!PageOptions::parse("").plays_at_start(true, false), "reduced motion");
        assert!(!PageOptions::parse("?autoplay=1").plays_at_start(true, false), "reduced motion wins");
        assert!(!PageOptions::parse("").plays_at_start(false, true), "a link opens at its moment");
        assert!(PageOptions::parse("?autoplay=1").plays_at_start(false, true));
    }

    #[test]
    fn the_full_lab_shows_everything() {
        let o = PageOptions::parse("");
        assert!(!o.embed);
        assert!(PANELS.iter().all(|p| o.shows(p)));
    }

    #[test]
    fn an_embed_shows_only_the_panels_it_names() {
        let o = PageOptions::parse("?embed=1&panels=invariants,%20logs,bogus&scenario=raft-figure8.json");
        assert!(o.embed);
        assert!(o.shows("invariants") && o.shows("logs"));
        assert!(!o.shows("spacetime") && !o.shows("network"));
        assert_eq!(o.unknown_panels, ["bogus"]);
        assert_eq!(o.scenario.as_deref(), Some("raft-figure8.json"));
        assert!(!PageOptions::parse("embed=0").embed);
    }

    #[test]
    fn percent_decoding_keeps_what_it_cannot_decode() {
        assert_eq!(percent_decode("a%2Cb+c"), "a,b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%e2%9c%93"), "✓");
    }
}
