//! Paxos's panel: each acceptor's promise and votes (what its stable storage holds, so a
//! crashed acceptor's row stays), and per slot the value the checker saw chosen, when and by
//! which majority, next to when each learner learned it. A value chosen that no learner has
//! learned yet is called out: the fact exists before anyone knows it.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

use crate::view::Panel;
use crate::view::paxos_face::{AcceptorRow, SlotRow};

#[derive(Properties, PartialEq)]
pub struct AcceptorViewProps {
    /// The protocol's panel: drawn when it is an acceptors panel.
    pub panel: Rc<Panel>,
}

fn acceptor(r: &AcceptorRow) -> Html {
    let votes = if r.accepted.is_empty() { "—".to_string() } else { r.accepted.iter().map(|(s, b, v)| format!("{s}: {v} @{b}")).collect::<Vec<_>>().join(" · ") };
    html! {
        <tr key={r.node} class={classes!((!r.up).then_some("down"), r.flagged.then_some("violating"))} data-testid="acceptor-row">
            <th scope="row">{ format!("S{}{}", r.node, if r.up { "" } else { tr!(" (down)") }) }</th>
            <td>{ &r.roles }</td>
            <td class="ballot">{ &r.promised }</td>
            <td>{ votes }{ if r.flagged { " ⚠" } else { "" } }</td>
        </tr>
    }
}

fn slot(s: &SlotRow, multi: bool) -> Html {
    let name = if multi { s.slot.to_string() } else { tr!("the decree").to_string() };
    let learned = if s.learned.is_empty() {
        html! { <span class={classes!(s.chosen.is_some().then_some("unknown"))}>{ if s.chosen.is_some() { tr!("nobody yet") } else { "—" } }</span> }
    } else {
        html! { { s.learned.iter().map(|(n, at)| tr!("S{n} at {at}", n = n, at = at)).collect::<Vec<_>>().join(", ") } }
    };
    html! {
        <tr key={s.slot} data-testid="slot-row">
            <th scope="row">{ name }</th>
            if let Some((value, ballot, at, by)) = &s.chosen {
                <td class="chosen"><strong>{ value }</strong>{ " " }{ tr!("in ballot {ballot}", ballot = ballot) }</td>
                <td>{ tr!("{at}, by {by}", at = at, by = by) }</td>
            } else {
                <td colspan="2" class="hint">{ tr!("not chosen (no majority on one ballot yet)") }</td>
            }
            <td>{ learned }</td>
        </tr>
    }
}

#[component]
pub fn AcceptorView(props: &AcceptorViewProps) -> Html {
    let Some(p) = props.panel.get::<crate::view::paxos_face::AcceptorPanel>() else {
        return html! {};
    };
    html! {
        <section class="acceptor-view" aria-label={tr!("Acceptors and chosen values")} data-testid="acceptor-view">
            <h2>{ tr!("Acceptors") }</h2>
            <div class="log-scroll" tabindex="0" role="region" aria-label={tr!("Acceptors, scrollable")}>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{ tr!("server") }</th>
                            <th scope="col">{ tr!("roles") }</th>
                            <th scope="col" title={tr!("the highest ballot promised: no lower one will be accepted")}>{ tr!("promised") }</th>
                            <th scope="col" title={tr!("its votes: slot: value @ballot")}>{ tr!("accepted") }</th>
                        </tr>
                    </thead>
                    <tbody>{ for p.rows.iter().map(acceptor) }</tbody>
                </table>
            </div>
            <h3>{ tr!("Chosen") }</h3>
            if p.slots.is_empty() {
                <p class="hint">{ tr!("Nothing proposed yet.") }</p>
            } else {
                <table class="chosen-table">
                    <thead>
                        <tr>
                            <th scope="col">{ if p.multi { tr!("slot") } else { "" } }</th>
                            <th scope="col">{ tr!("value") }</th>
                            <th scope="col" title={tr!("when a majority of acceptors had accepted the same ballot: chosen from then on, whether anyone knows it or not")}>{ tr!("chosen at") }</th>
                            <th scope="col">{ tr!("learned by") }</th>
                        </tr>
                    </thead>
                    <tbody>{ for p.slots.iter().map(|s| slot(s, p.multi)) }</tbody>
                </table>
            }
        </section>
    }
}
