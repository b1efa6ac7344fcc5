//! The page's address, read and written through the browser: the query string holds how the
//! page should look ([`crate::view::page`]), the fragment a shared moment
//! ([`crate::view::share`]). The fragment follows the run while it is paused, so the address
//! bar is always a link to what is on screen.

use wasm_bindgen::JsValue;

/// The page's query string.
pub fn search() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The page's fragment, with its `#`.
pub fn hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Replaces the fragment without a new history entry (the back button leaves the lab, it does
/// not step through every pause).
pub fn replace_hash(fragment: &str) {
    replace(&search(), &format!("#{fragment}"));
}

/// Replaces the address's query and fragment (each with its `?` or `#`, or empty) without a
/// new history entry.
fn replace(search: &str, hash: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(history) = window.history() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}{hash}")));
}

/// The page's address with a fragment (without `#`; empty for none), without the query but
/// the family's `lab=` and the page's language (a link to the full lab).
pub fn full_link(fragment: &str) -> String {
    // The language the link is made in goes with it: an instructor's link opens in theirs.
    let lang = format!("lang={}", crate::view::i18n::lang().code());
    let lab = crate::view::family::address(&lang, crate::view::family::here(), None);
    let hash = if fragment.is_empty() { String::new() } else { format!("#{fragment}") };
    let Some(window) = web_sys::window() else {
        return format!("{lab}{hash}");
    };
    let location = window.location();
    format!("{}{}{lab}{hash}", location.origin().unwrap_or_default(), location.pathname().unwrap_or_default())
}

/// Opens `href` in a new tab, as a link with `target="_blank" rel="noopener"` does.
pub fn open_in_new_tab(href: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.open_with_url_and_target_and_features(href, "_blank", "noopener");
    }
}

/// Replaces the query string (`?a=1`) without a new history entry, the fragment kept.
pub fn replace_search(search: &str) {
    replace(search, &hash());
}

/// Goes to `href` (a query and fragment) on this page's path: a new history entry, or in place
/// of the current one.
pub fn go(href: &str, replace: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let target = format!("{}{href}", location.pathname().unwrap_or_default());
    let _ = if replace { location.replace(&target) } else { location.assign(&target) };
}

/// Whether the person asked their system for less motion (`prefers-reduced-motion: reduce`):
/// the page then waits for Play.
pub fn reduced_motion() -> bool {
    web_sys::window().and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten()).is_some_and(|q| q.matches())
}

/// Names the page after its family in the browser's tab and history.
pub fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}
