//! Which read panels are in sight: the browser's `IntersectionObserver` tells the reducer
//! (`LabAction::OnScreen`) when the space-time diagram, the protocol's panel or the event log
//! scrolls into or out of view, and a panel out of view is not refreshed while the run plays.
//! On a laptop's screen most of them are below the fold while a person watches the stage, and
//! refreshing them was a quarter of the page's work per second.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Element, IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};
use yew::prelude::*;

use super::state::{LabAction, LabState, SlowPart};

/// Each watched panel: the selector of its root and the part of the read round it is.
const WATCHED: [(&str, SlowPart); 3] =
    [("section.spacetime", SlowPart::Diagram), ("section.event-log", SlowPart::Log), ("section.log-view, section.tx-view, section.acceptor-view, section.balancer-view", SlowPart::Panels)];

/// Watches the read panels once they are drawn, and again whenever the run is replaced (its
/// panels may be new elements). Until the browser first reports, every panel counts as in
/// sight.
#[hook]
pub fn use_on_screen(dispatcher: UseReducerDispatcher<LabState>, generation: u64) {
    use_effect_with(generation, move |_| {
        let watching = watch(dispatcher);
        move || {
            if let Some((observer, _listener)) = watching {
                observer.disconnect();
            }
        }
    });
}

/// The observer's callback, kept alive as long as the observer.
type Listener = Closure<dyn FnMut(js_sys::Array, IntersectionObserver)>;

fn watch(dispatcher: UseReducerDispatcher<LabState>) -> Option<(IntersectionObserver, Listener)> {
    let document = web_sys::window()?.document()?;
    let callback: Listener = Closure::new(move |entries: js_sys::Array, _: IntersectionObserver| {
        for entry in entries.iter() {
            let Ok(entry) = entry.dyn_into::<IntersectionObserverEntry>() else {
                continue;
            };
            if let Some(part) = part_of(&entry.target()) {
                dispatcher.dispatch(LabAction::OnScreen(part, entry.is_intersecting()));
            }
        }
    });
    // A small margin, so that a panel scrolled towards is current as it appears. Not more: a
    // panel just under the fold (the Raft page's logs at 1024×640) would be rebuilt five times
    // a second for no one; one that comes into sight catches up at once (`LabAction::OnScreen`).
    let options = IntersectionObserverInit::new();
    options.set_root_margin("40px 0px");
    let observer = IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &options).ok()?;
    for (selector, _) in WATCHED {
        if let Ok(Some(element)) = document.query_selector(selector) {
            observer.observe(&element);
        }
    }
    Some((observer, callback))
}

fn part_of(element: &Element) -> Option<SlowPart> {
    WATCHED.iter().find(|(selector, _)| element.matches(selector).unwrap_or(false)).map(|(_, part)| *part)
}
