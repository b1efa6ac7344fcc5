//! The network panel: one-click partitions (isolate the server that leads, a minority holding it
//! against the majority, heal), named in the protocol's words (the leader, the coordinator, the
//! balancer; S1 where no server leads), a partition drawn server by server, and every link's latency,
//! loss and duplication. Inputs are checked here and a bad one is explained in place, so no
//! command leaves the panel that [`net_action`](crate::view::commands::net_action) would refuse.

use yew::prelude::*;

use crate::tr;

use crate::sim::NodeId;
use crate::view::NetCommand;
use crate::view::commands::LATENCY_MS_LIMIT;

#[derive(Properties, PartialEq)]
pub struct NetworkPanelProps {
    /// Cluster size (servers S1..=S`nodes`).
    pub nodes: u32,
    /// Every link's latency range now, in ms.
    pub latency_ms: (u32, u32),
    /// Every link's loss rate now, in percent.
    pub loss_percent: u32,
    /// Every link's duplication rate now, in percent.
    pub duplicate_percent: u32,
    /// What the protocol calls the server that leads (`leader`, `coordinator`), or `None`.
    pub lead: Option<&'static str>,
    /// A command on the network.
    pub on_command: Callback<NetCommand>,
}

/// A whole number from 0 to `max` in `text` (digits only: a number input hands over `""` for
/// what it cannot read, and `1.5` or `1e3` as typed).
fn whole(text: &str, max: u32) -> Option<u32> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().filter(|&v| v <= max)
}

/// The latency range typed, or why it is not one.
fn latency(min: &str, max: &str) -> Result<(u32, u32), String> {
    let bad = || tr!("Latency: whole numbers of milliseconds, 0 to {max}.", max = LATENCY_MS_LIMIT);
    let lo = whole(min, LATENCY_MS_LIMIT).ok_or_else(bad)?;
    let hi = whole(max, LATENCY_MS_LIMIT).ok_or_else(bad)?;
    if lo > hi {
        return Err(tr!("Latency: the minimum must not exceed the maximum.").to_string());
    }
    Ok((lo, hi))
}

/// A labelled number input whose text lives in the panel's state.
fn number_field(label: &'static str, max: u32, text: &UseStateHandle<String>, error: &UseStateHandle<Option<String>>, error_id: &'static str) -> Html {
    let oninput = {
        let (text, error) = (text.clone(), error.clone());
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            text.set(input.value());
            error.set(None);
        })
    };
    html! {
        <label class="field">
            <span>{ label }</span>
            <input type="number" inputmode="numeric" min="0" max={max.to_string()} step="1"
                   aria-invalid={error.is_some().to_string()} aria-describedby={error.is_some().then_some(error_id)}
                   value={(**text).clone()} {oninput} />
        </label>
    }
}

/// Where a form's checking message goes.
fn error_line(id: &'static str, error: &UseStateHandle<Option<String>>) -> Html {
    match &**error {
        Some(message) => html! { <p class="field-error" {id} role="alert">{ message }</p> },
        None => html! {},
    }
}

#[component]
pub fn NetworkPanel(props: &NetworkPanelProps) -> Html {
    let nodes = props.nodes;
    // Servers on side B, as bits (bit i for S(i+1)); the rest are on side A.
    let side_b = use_state(|| 0u32);
    let min_text = use_state(|| props.latency_ms.0.to_string());
    let max_text = use_state(|| props.latency_ms.1.to_string());
    let loss_text = use_state(|| props.loss_percent.to_string());
    let dup_text = use_state(|| props.duplicate_percent.to_string());
    let latency_error = use_state(|| None::<String>);
    let rates_error = use_state(|| None::<String>);
    {
        // What the run has now (a scenario loaded, a command applied) replaces what was typed.
        let (min_text, max_text, loss_text, dup_text) = (min_text.clone(), max_text.clone(), loss_text.clone(), dup_text.clone());
        let (latency_error, rates_error) = (latency_error.clone(), rates_error.clone());
        use_effect_with((props.latency_ms, props.loss_percent, props.duplicate_percent), move |&((lo, hi), loss, dup)| {
            min_text.set(lo.to_string());
            max_text.set(hi.to_string());
            loss_text.set(loss.to_string());
            dup_text.set(dup.to_string());
            latency_error.set(None);
            rates_error.set(None);
        });
    }

    let emit = |command: NetCommand| {
        let cb = props.on_command.clone();
        Callback::from(move |_: MouseEvent| cb.emit(command.clone()))
    };

    // Bits of servers that no longer exist (a smaller cluster loaded) are ignored, not cleared,
    // so growing the cluster back restores the drawing.
    let on_b = |id: NodeId| *side_b & (1 << (id - 1)) != 0;
    let (a, b): (Vec<NodeId>, Vec<NodeId>) = (1..=nodes).partition(|&id| !on_b(id));
    let toggles = (1..=nodes).map(|id| {
        let side_b = side_b.clone();
        let onclick = Callback::from(move |_: MouseEvent| side_b.set(*side_b ^ (1 << (id - 1))));
        let pressed = on_b(id);
        html! {
            <button key={id} type="button" class={classes!("side-toggle", pressed.then_some("on-b"))}
                    aria-pressed={pressed.to_string()} aria-label={tr!("S{id} on side B", id = id)}
                    title={tr!("S{id} is on side {side}: press to move it", id = id, side = if pressed { "B" } else { "A" })} {onclick}>
                { format!("S{id}") }<span class="side" aria-hidden="true">{ if pressed { "B" } else { "A" } }</span>
            </button>
        }
    });
    let names = |ids: &[NodeId]| {
        if ids.is_empty() { tr!("none").to_string() } else { ids.iter().map(|id| format!("S{id}")).collect::<Vec<_>>().join(" ") }
    };
    let sides = format!("A: {} | B: {}", names(&a), names(&b));
    let can_partition = !a.is_empty() && !b.is_empty();
    let partition = emit(NetCommand::Partition(vec![a, b]));

    let on_latency = {
        let (min_text, max_text, error, cb) = (min_text.clone(), max_text.clone(), latency_error.clone(), props.on_command.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match latency(&min_text, &max_text) {
                Ok((ms_min, ms_max)) => cb.emit(NetCommand::Latency { ms_min, ms_max }),
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let on_rates = {
        let (loss_text, dup_text, error, cb) = (loss_text.clone(), dup_text.clone(), rates_error.clone(), props.on_command.clone());
        let (loss_now, dup_now) = (props.loss_percent, props.duplicate_percent);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(loss), Some(dup)) = (whole(&loss_text, 100), whole(&dup_text, 100)) else {
                error.set(Some(tr!("Loss and duplication: whole numbers of percent, 0 to 100.").to_string()));
                return;
            };
            // Only what changed, so a session's recorded actions say what the person did.
            if loss != loss_now {
                cb.emit(NetCommand::LossPercent(loss));
            }
            if dup != dup_now {
                cb.emit(NetCommand::DuplicatePercent(dup));
            }
        })
    };
    let (lo, hi) = props.latency_ms;
    let lead = props.lead.map_or_else(|| "S1".to_string(), |w| crate::view::i18n::tr(w).to_string());
    let summary = tr!("Latency {lo}–{hi} ms · loss {loss} % · duplication {dup} %", lo = lo, hi = hi, loss = props.loss_percent, dup = props.duplicate_percent);

    html! {
        <section class="panel network-panel" aria-label={tr!("Network")} data-testid="network-panel">
            <h2>{ tr!("Network") }</h2>
            <div class="panel-row presets">
                <button type="button" onclick={emit(NetCommand::IsolateLeader)} title={tr!("Cut {lead} off from everyone", lead = lead)}>
                    { tr!("Isolate {lead}", lead = lead) }
                </button>
                <button type="button" disabled={nodes < 3} onclick={emit(NetCommand::SplitMajority)}
                        title={if nodes < 3 { tr!("Needs at least three servers").to_string() } else { tr!("A minority holding {lead}, and the majority without it", lead = lead) }}>
                    { tr!("Split: {lead} with a minority | the rest", lead = lead) }
                </button>
                <button type="button" class="secondary" onclick={emit(NetCommand::Heal)} title={tr!("Undo partitions, isolation and cuts")}>{ tr!("Heal") }</button>
            </div>
            <details class="panel-more">
                <summary>{ tr!("Draw a partition") }</summary>
                <div class="side-toggles" role="group" aria-label={tr!("Sides of the partition")}>
                    { for toggles }
                </div>
                <p class="sides"><output data-testid="partition-sides">{ sides }</output></p>
                <div class="panel-row">
                    <button type="button" disabled={!can_partition} onclick={partition}>{ tr!("Partition A | B") }</button>
                    if !can_partition {
                        <span class="hint">{ tr!("Press servers to put at least one on each side.") }</span>
                    }
                </div>
            </details>
            <details class="panel-more">
                <summary>{ summary }</summary>
                <form class="panel-row" onsubmit={on_latency} aria-label={tr!("Latency")}>
                    { number_field(tr!("Latency min (ms)"), LATENCY_MS_LIMIT, &min_text, &latency_error, "net-latency-error") }
                    { number_field(tr!("Latency max (ms)"), LATENCY_MS_LIMIT, &max_text, &latency_error, "net-latency-error") }
                    <button type="submit">{ tr!("Apply latency") }</button>
                </form>
                { error_line("net-latency-error", &latency_error) }
                <form class="panel-row" onsubmit={on_rates} aria-label={tr!("Loss and duplication")}>
                    { number_field(tr!("Loss (%)"), 100, &loss_text, &rates_error, "net-rates-error") }
                    { number_field(tr!("Duplication (%)"), 100, &dup_text, &rates_error, "net-rates-error") }
                    <button type="submit">{ tr!("Apply rates") }</button>
                </form>
                { error_line("net-rates-error", &rates_error) }
            </details>
        </section>
    }
}
