//! The page's language in the browser: chosen as it opens (the address's `lang=`, the
//! person's last choice in `localStorage`, `navigator.languages`: see
//! [`crate::view::i18n::Lang::choose`]), switched from the header, written into the address so
//! that a link keeps it, and into `<html lang>` so that a screen reader speaks it. A language's
//! words come from `i18n/<code>.json`: fetched by the page's loader alongside the wasm when the
//! page opens in it (Trunk.toml's `window.distlabStrings`), else when it is chosen.

use yew::prelude::*;

use crate::view::i18n::{self, Catalogue, Lang};

/// Where the person's choice is remembered.
const STORAGE_KEY: &str = "distlab-lang";

fn remembered() -> Option<String> {
    web_sys::window()?.local_storage().ok()??.get_item(STORAGE_KEY).ok()?
}

fn remember(lang: Lang) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        // A browser that refuses storage (private mode, a sandboxed iframe) keeps the choice
        // for this page only.
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
}

fn browser_languages() -> Vec<String> {
    web_sys::window().map(|w| w.navigator().languages().iter().filter_map(|v| v.as_string()).collect()).unwrap_or_default()
}

/// The words the loader fetched for `lang`, if it did.
fn preloaded(lang: Lang) -> Option<Catalogue> {
    let window = web_sys::window()?;
    let strings = js_sys::Reflect::get(&window, &"distlabStrings".into()).ok()?;
    let code = js_sys::Reflect::get(&strings, &"lang".into()).ok()?.as_string()?;
    let text = js_sys::Reflect::get(&strings, &"text".into()).ok()?.as_string()?;
    (code == lang.code()).then(|| Catalogue::parse(&text).ok()).flatten()
}

fn set_html_lang(lang: Lang) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.html_tag());
    }
}

/// Chooses the page's language before the first render and installs its words if the loader
/// brought them. Returns the language the page should end up in (which [`use_language`] fetches
/// if its words are not there yet).
pub fn open(address: Option<&str>) -> Lang {
    let wanted = Lang::choose(address, remembered().as_deref(), &browser_languages());
    let now = i18n::install(wanted, preloaded(wanted));
    set_html_lang(now);
    wanted
}

/// The page's language and a callback that switches it: the words are fetched if need be, then
/// the language is installed, remembered, written into the address and `<html lang>`, the page
/// re-rendered and `on_switched` called (the run stays where it is: it lives above the
/// language).
#[hook]
pub fn use_language(wanted: Lang, on_error: Callback<String>, on_switched: Callback<()>) -> (Lang, Callback<Lang>) {
    let current = use_state_eq(i18n::lang);
    let switch = {
        let current = current.clone();
        use_callback((), move |lang: Lang, _| {
            let (current, on_switched) = (current.clone(), on_switched.clone());
            let finish = move |lang: Lang| {
                set_html_lang(i18n::install(lang, None));
                remember(lang);
                let search = crate::view::page::with_param(&super::url::search(), "lang", lang.code());
                super::url::replace_search(&search);
                current.set(i18n::lang());
                on_switched.emit(());
            };
            if i18n::install(lang, None) == lang {
                finish(lang);
                return;
            }
            let on_error = on_error.clone();
            super::files::fetch_text(&format!("i18n/{}.json", lang.code()), move |text| match text.and_then(|t| Catalogue::parse(&t)) {
                Ok(words) => {
                    i18n::install(lang, Some(words));
                    finish(lang);
                }
                Err(e) => on_error.emit(format!("The page's {} words could not be loaded: {e}", lang.own_name())),
            });
        })
    };
    // A page that opened wanting a language the loader did not bring fetches it now.
    {
        let switch = switch.clone();
        use_effect_with((), move |_| {
            if i18n::lang() != wanted {
                switch.emit(wanted);
            }
        });
    }
    (*current, switch)
}
