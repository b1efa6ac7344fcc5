//! The latest trace lines, newest first, filterable by server and by kind of event, with a
//! free-text filter for anything else (a message type, an id like `m42`, a term).

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

use crate::sim::Addr;
use crate::view::LogLine;

/// Most lines drawn at once: the rest wait for a narrower filter.
const LINES_DRAWN: usize = 200;
/// Most lines drawn while the run plays: a few more than the box shows (about 15). Lines go by
/// faster than anyone scrolls, every refresh replaces them, and each drawn line costs its
/// layout and paint; pausing shows [`LINES_DRAWN`].
const LINES_DRAWN_PLAYING: usize = 20;

/// The kinds a person filters by, with the trace kinds each covers.
const KINDS: &[(&str, &[&str])] = &[
    (crate::tr_key!("messages"), &["send", "deliver", "drop", "duplicate"]),
    (crate::tr_key!("drops"), &["drop"]),
    (crate::tr_key!("roles and terms"), &["state"]),
    (crate::tr_key!("timers"), &["timer"]),
    (crate::tr_key!("faults and actions"), &["action", "crash", "restart", "pause", "resume"]),
    (crate::tr_key!("violations"), &["violation"]),
];

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Newest first.
    pub lines: Rc<Vec<LogLine>>,
    /// Servers in the run (for the server filter).
    pub nodes: u32,
    /// Whether the run plays (fewer lines are drawn then).
    #[prop_or_default]
    pub playing: bool,
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let actor = use_state(String::new);
    let kind = use_state(String::new);
    let text = use_state(String::new);
    let on_actor = select_setter(actor.clone());
    let on_kind = select_setter(kind.clone());
    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() {
                text.set(input.value());
            }
        })
    };
    let kinds: &[&str] = KINDS.iter().find(|(name, _)| *name == kind.as_str()).map_or(&[], |(_, k)| k);
    // ASCII case folding: the trace is ASCII but for clients' commands, and full Unicode
    // folding would bring its tables into the download.
    let needle = text.trim().to_ascii_lowercase();
    // The server chosen, among those the menu offers.
    let server = (1..=props.nodes).find(|id| *actor == format!("S{id}")).map(Addr::Node);
    // Each line in the page's language, put into words only if it passes the other filters.
    let shown: Vec<(&LogLine, String)> = props
        .lines
        .iter()
        .filter(|l| server.is_none() || l.actor == server || l.link.is_some_and(|(a, b)| Some(a) == server || Some(b) == server))
        .filter(|l| kinds.is_empty() || kinds.contains(&l.kind))
        .map(|l| (l, l.text()))
        .filter(|(_, text)| needle.is_empty() || text.to_ascii_lowercase().contains(&needle))
        .take(if props.playing { LINES_DRAWN_PLAYING } else { LINES_DRAWN })
        .collect();
    let filtered = !actor.is_empty() || !kinds.is_empty() || !needle.is_empty();
    html! {
        <section class="event-log" aria-label={tr!("Event log")} data-testid="event-log">
            <h2>{ tr!("Event log") }</h2>
            <div class="filters" role="group" aria-label={tr!("Filter the event log")}>
                <label>{ tr!("Server ") }
                    <select aria-label={tr!("Filter by server")} onchange={on_actor}>
                        <option value="" selected={actor.is_empty()}>{ tr!("all") }</option>
                        { for (1..=props.nodes).map(|id| {
                            let v = format!("S{id}");
                            html! { <option key={id} value={v.clone()} selected={*actor == v}>{ v.clone() }</option> }
                        }) }
                    </select>
                </label>
                <label>{ tr!("Kind ") }
                    <select aria-label={tr!("Filter by kind")} onchange={on_kind}>
                        <option value="" selected={kind.is_empty()}>{ tr!("all") }</option>
                        { for KINDS.iter().map(|(name, _)| html! { <option key={*name} value={*name} selected={kind.as_str() == *name}>{ crate::view::i18n::tr(name) }</option> }) }
                    </select>
                </label>
                <label>{ tr!("Text ") }
                    <input type="search" aria-label={tr!("Filter by text")} placeholder={tr!("AppendEntries, m42, term=3")} value={(*text).clone()} oninput={on_text} />
                </label>
                <output class="muted" aria-live="polite">{
                    match (filtered, props.playing) {
                        (true, _) => tr!("{shown} of the last {n} lines", shown = shown.len(), n = props.lines.len()),
                        (false, true) => tr!("last {n} lines; pause to see {drawn}", n = props.lines.len(), drawn = LINES_DRAWN.min(props.lines.len())),
                        (false, false) => tr!("last {n} lines", n = props.lines.len()),
                    }
                }</output>
            </div>
            <ol reversed=true>
                { for shown.iter().map(|(l, text)| html! {
                    // Lines have no id of their own; (event, text) is unique within an event.
                    <li key={format!("{}-{}", l.event, text)} class={l.kind}>{ text.clone() }</li>
                }) }
            </ol>
        </section>
    }
}

fn select_setter(state: UseStateHandle<String>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            state.set(select.value());
        }
    })
}
