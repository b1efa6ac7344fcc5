//! The last trace lines, newest first.

use std::rc::Rc;

use yew::prelude::*;

use crate::view::LogLine;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Newest first.
    pub lines: Rc<Vec<LogLine>>,
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    html! {
        <section class="event-log" aria-label="Event log">
            <h2>{ "Event log" }</h2>
            <ol reversed=true>
                { for props.lines.iter().enumerate().map(|(i, l)| html! {
                    // Lines have no id of their own; (event, position from the oldest) is stable.
                    <li key={format!("{}-{}", l.event, props.lines.len() - i)} class={l.kind}>{ &l.text }</li>
                }) }
            </ol>
        </section>
    }
}
