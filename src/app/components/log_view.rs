//! The servers' logs side by side: a row per server, a column per log index. Committed cells
//! are filled and the commit index gets a bold bar; cells unlike the leader's are hatched and
//! marked `≠` (or `∅` where the leader has an entry and the server none), so the difference
//! never rests on colour alone.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

use crate::view::{LogCell, Panel};

#[derive(Properties, PartialEq)]
pub struct LogViewProps {
    /// The protocol's panel: drawn when it is a log view.
    pub panel: Rc<Panel>,
}

fn cell(c: &LogCell) -> Html {
    let class = classes!(
        "cell",
        c.term.is_none().then_some("empty"),
        c.committed.then_some("committed"),
        c.commit_edge.then_some("commit-edge"),
        c.differs_from_leader.then_some("differs"),
        c.violating.then_some("violating"),
    );
    let mark = match (c.differs_from_leader, c.term) {
        _ if c.violating => "⚠",
        (true, Some(_)) => "≠",
        (true, None) => "∅",
        _ => "",
    };
    html! {
        <td key={c.index} {class} aria-label={c.aria_label()} title={c.aria_label()}>
            if let Some(term) = c.term {
                <span class="t">{ format!("t{term}") }</span>
                <span class="cmd">{ &c.command }</span>
            }
            if !mark.is_empty() {
                <span class="mark" aria-hidden="true">{ mark }</span>
            }
        </td>
    }
}

#[component]
pub fn LogView(props: &LogViewProps) -> Html {
    let Some(rows) = props.panel.get::<Vec<crate::view::LogRow>>() else {
        return html! {};
    };
    let width = rows.first().map_or(0, |r| r.cells.len());
    html! {
        <section class="log-view" aria-label={tr!("Server logs")} data-testid="log-view">
            <h2>{ tr!("Logs") }</h2>
            if width == 0 {
                <p class="hint">{ tr!("No entries yet: a leader appends a no-op when elected, then client requests.") }</p>
            }
            <div class="log-scroll" tabindex="0" role="region" aria-label={tr!("Server logs, scrollable")}>
                <table>
                    <thead>
                        <tr>
                            <th scope="col" class="server">{ tr!("index") }</th>
                            { for (1..=width).map(|i| html! { <th key={i} scope="col">{ i }</th> }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for rows.iter().map(|r| {
                            let class = classes!("log-row", (!r.up).then_some("down"), r.leader.then_some("leader"));
                            let label = format!(
                                "S{}{}{}",
                                r.id,
                                if !r.up { tr!(" (down)") } else if r.leader { tr!(" (leader)") } else { "" },
                                tr!(", {n} entries, commit {c}", n = r.len, c = r.commit)
                            );
                            html! {
                                <tr key={r.id} {class} data-testid="log-row" aria-label={label}>
                                    <th scope="row" class="server">
                                        { format!("S{}", r.id) }
                                        if r.leader { <span class="tag">{ " L" }</span> }
                                        if !r.up { <span class="tag">{ " ✕" }</span> }
                                    </th>
                                    { for r.cells.iter().map(cell) }
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
            <ul class="legend log-legend" aria-label={tr!("Log legend")}>
                <li><span class="swatch-cell committed"></span>{ tr!("committed (bar = commit index)") }</li>
                <li><span class="swatch-cell differs">{ "≠" }</span>{ tr!("differs from leader (∅ missing)") }</li>
            </ul>
        </section>
    }
}
