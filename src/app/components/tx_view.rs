//! Atomic commit's panel: a row per transaction with each node's state on it (the locks it
//! holds, and a blocked-time counter on a participant that voted Yes), and each node's
//! write-ahead log, the only thing a crash leaves it.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

use crate::view::Panel;
use crate::view::commit_face::TxCell;

/// What the panel draws.
pub struct TxViewProps {
    /// The protocol's panel: drawn when it is a transactions panel.
    pub panel: Rc<Panel>,
}

fn cell(c: &TxCell) -> Html {
    let mut label = format!("S{}: {}", c.node, crate::view::i18n::tr(c.state));
    if c.locks {
        label.push_str(tr!(", holds locks"));
    }
    if let Some(b) = c.blocked_ms {
        label.push_str(&tr!(", uncertain {b} ms", b = b));
    }
    if c.violating {
        label.push_str(tr!(", involved in a broken invariant"));
    }
    html! {
        <td key={c.node} class={classes!("tx-cell", c.state, c.violating.then_some("violating"))} title={label.clone()} aria-label={label}>
            <span class="state">{ crate::view::i18n::tr(c.state) }</span>
            if c.locks {
                <span class="locks" aria-hidden="true">{ tr!(" · locks") }</span>
            }
            if let Some(b) = c.blocked_ms {
                <span class="blocked" aria-hidden="true">{ " · " }{ tr!("uncertain {b} ms", b = b) }</span>
            }
            if c.violating {
                <span class="mark" aria-hidden="true">{ " ⚠" }</span>
            }
        </td>
    }
}

/// The panel (a plain function, not a component: see `components::guide::guide_panel`).
pub fn tx_view(props: &TxViewProps) -> Html {
    let Some(t) = props.panel.get::<crate::view::commit_face::TxPanel>() else {
        return html! {};
    };
    let nodes: Vec<u32> = t.logs.iter().map(|(id, _, _)| *id).collect();
    html! {
        <section class="tx-view" aria-label={tr!("Transactions")} data-testid="tx-view">
            <h2>{ tr!("Transactions") }</h2>
            if t.rows.is_empty() {
                <p class="hint">{ tr!("No transaction yet: a client's begin starts one at the coordinator, S1.") }</p>
            } else {
                <div class="log-scroll" tabindex="0" role="region" aria-label={tr!("Transactions, scrollable")}>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{ tr!("tx") }</th>
                                { for nodes.iter().map(|id| html! { <th key={*id} scope="col">{ if *id == 1 { tr!("S{id} (coordinator)", id = id) } else { format!("S{id}") } }</th> }) }
                            </tr>
                        </thead>
                        <tbody>
                            { for t.rows.iter().map(|r| html! {
                                <tr key={r.id} data-testid="tx-row">
                                    <th scope="row">{ format!("T{}", r.id) }</th>
                                    { for r.cells.iter().map(cell) }
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
            <h3>{ tr!("Write-ahead logs") }</h3>
            <div class="wal-grid">
                { for t.logs.iter().map(|(id, down, lines)| html! {
                    <div key={*id} class={classes!("wal", down.then_some("down"))} aria-label={format!("{}{}", tr!("S{id} write-ahead log", id = id), if *down { tr!(", down") } else { "" })}>
                        <strong>{ format!("S{id}{}", if *down { tr!(" (down)") } else { "" }) }</strong>
                        <ol>
                            { for lines.iter().map(|l| html! { <li>{ l }</li> }) }
                        </ol>
                    </div>
                }) }
            </div>
        </section>
    }
}
