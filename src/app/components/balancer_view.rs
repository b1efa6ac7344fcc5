//! A load balancer's panel: the run's figures, a bar per backend (its share of the served
//! requests, what is in flight to it, its queue) with the operator's controls (remove or add
//! it, slow it down, change its weight), the latency percentiles over time, and for the hashing
//! strategies the ring of virtual nodes (or Maglev's table) with the keys the last membership
//! change moved.

use std::rc::Rc;

use serde_json::{Value, json};
use yew::prelude::*;

use crate::protocols::balancer::strategy::NAMES;
use crate::sim::NodeId;
use crate::view::Panel;
use crate::view::balancer_face::{BackendBar, BalancerPanel, SPARK_BASE_Y, SPARK_POINTS, SPARK_TOP_Y, SPARK_VIEWBOX, SPARK_W, Settings, Sparks, ring_arcs_d};

#[derive(Properties, PartialEq)]
pub struct BalancerViewProps {
    /// The protocol's panel: drawn when it is a balancer's.
    pub panel: Rc<Panel>,
    /// An operator's request for the balancer (S1), as a scenario writes it.
    pub on_request: Callback<Value>,
    /// New settings (a `config` patch): the run starts over with them.
    pub on_reconfigure: Callback<Value>,
}

#[derive(Properties, PartialEq)]
struct SettingsProps {
    settings: Settings,
    on_apply: Callback<Value>,
}

/// Strategy, arrival rate, key skew and health checks: applying them starts the run over on
/// the same seed, so the workload is the same but for what changed.
#[component]
fn SettingsForm(props: &SettingsProps) -> Html {
    let draft = use_state(|| props.settings.clone());
    {
        // A new run (another scenario, or these settings applied) resets the form.
        let draft = draft.clone();
        use_effect_with(props.settings.clone(), move |s| draft.set(s.clone()));
    }
    let number = |f: fn(&mut Settings, f64)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>()
                && let Ok(v) = input.value().parse::<f64>()
                && v.is_finite()
            {
                let mut s = (*draft).clone();
                f(&mut s, v);
                draft.set(s);
            }
        })
    };
    let on_strategy = {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>()
                && let Some(name) = NAMES.iter().find(|n| **n == select.value())
            {
                draft.set(Settings { strategy: name, ..(*draft).clone() });
            }
        })
    };
    let apply = {
        let (draft, cb, was) = (draft.clone(), props.on_apply.clone(), props.settings.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(draft.patch(&was));
        })
    };
    let d = &*draft;
    html! {
        <form class="lb-settings" aria-label="Balancer settings" onsubmit={apply}>
            <label>{ "Strategy " }
                <select onchange={on_strategy}>
                    { for NAMES.iter().map(|n| html! { <option key={*n} value={*n} selected={*n == d.strategy}>{ *n }</option> }) }
                </select>
            </label>
            if let Some(rate) = d.rate_per_s {
                <label>{ "Requests per second " }
                    <input type="number" min="1" max="100000" step="any" value={rate.to_string()}
                        onchange={number(|s, v| s.rate_per_s = Some(v.clamp(0.001, 1_000_000.0)))} />
                </label>
            }
            <label>{ "Zipf skew (0 uniform) " }
                <input type="number" min="0" max="10" step="0.1" value={d.zipf.to_string()} onchange={number(|s, v| s.zipf = v.clamp(0.0, 10.0))} />
            </label>
            <label>{ "Health check interval in ms (0 none) " }
                <input type="number" min="0" step="any" value={d.health_interval_ms.to_string()} onchange={number(|s, v| s.health_interval_ms = v.max(0.0))} />
            </label>
            <label>{ "Failed checks before a backend is out " }
                <input type="number" min="1" max="100" value={d.health_fall.to_string()} onchange={number(|s, v| s.health_fall = v.clamp(1.0, 100.0) as u32)} />
            </label>
            <button type="submit" disabled={*d == props.settings}>{ "Apply (starts over)" }</button>
        </form>
    }
}

/// A backend's colour, the same in the bars and the ring.
fn hue(id: NodeId) -> u32 {
    (id * 67) % 360
}

fn colour(id: NodeId) -> String {
    format!("hsl({} 55% 48%)", hue(id))
}

#[derive(Properties, PartialEq)]
struct RowProps {
    bar: BackendBar,
    /// The largest share of any backend, ‰: the bars' full width.
    max_share: u64,
    on_request: Callback<Value>,
}

/// A backend's row: its share, sparkline, figures and the operator's controls. A component, so
/// that a row whose figures did not change is skipped when the panel refreshes.
#[component]
fn BackendRow(props: &RowProps) -> Html {
    let (b, max_share, on_request) = (&props.bar, props.max_share, &props.on_request);
    let width = if max_share == 0 { 0.0 } else { b.share_permille as f64 * 100.0 / max_share as f64 };
    let state = if !b.up {
        "down"
    } else if !b.member {
        "removed"
    } else if !b.healthy {
        "unhealthy"
    } else {
        ""
    };
    let op = |v: Value| {
        let cb = on_request.clone();
        Callback::from(move |_: MouseEvent| cb.emit(v.clone()))
    };
    let id = b.id;
    let load = b.load.map(|l| format!(" · {}/{} busy · q {}", l.busy, l.slots, l.queued)).unwrap_or_default();
    html! {
        <li class={classes!("backend-bar", (!state.is_empty()).then_some(state))} data-testid="backend-bar">
            <span class="name">{ format!("S{id}") }</span>
            <span class="track" title={format!("{:.1} % of the served requests", b.share_permille as f64 / 10.0)}>
                <span class="fill" style={format!("width: {width:.1}%; background: {}", colour(id))}></span>
            </span>
            <Sparkline id={id} sparks={b.sparks.clone()} />
            <span class="figures">
                { format!("{:.1} % · {} served · {} in flight{load}", b.share_permille as f64 / 10.0, b.served, b.in_flight) }
                if let Some(k) = b.keys {
                    { format!(" · {k} keys") }
                }
                if b.weight != 1 {
                    { format!(" · weight {}", b.weight) }
                }
                if !state.is_empty() {
                    <strong>{ format!(" · {state}") }</strong>
                }
            </span>
            <span class="ops">
                if b.member {
                    <button type="button" class="secondary" aria-label={format!("Remove S{id}")} onclick={op(json!({"remove": id}))}>{ "remove" }</button>
                } else {
                    <button type="button" class="secondary" aria-label={format!("Add S{id}")} onclick={op(json!({"add": id}))}>{ "add" }</button>
                }
                if b.up {
                    <button type="button" class="secondary" aria-label={format!("Slow S{id} down three times")} onclick={op(json!({"slow": 3, "backend": id}))}>{ "slow ×3" }</button>
                    <button type="button" class="secondary" aria-label={format!("Normal speed for S{id}")} onclick={op(json!({"slow": 1, "backend": id}))}>{ "normal" }</button>
                }
                <button type="button" class="secondary" aria-label={format!("Weight of S{id} up (w+)")} onclick={op(json!({"weight": b.weight + 1, "backend": id}))}>{ "w+" }</button>
                <button type="button" class="secondary" aria-label={format!("Weight of S{id} down (w−)")} disabled={b.weight <= 1} onclick={op(json!({"weight": b.weight.saturating_sub(1).max(1), "backend": id}))}>{ "w−" }</button>
            </span>
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct SparklineProps {
    id: NodeId,
    sparks: Sparks,
}

/// A backend's in-flight line over its queue's area. Its own component: the paths change only
/// when a sample is added (every 100 ms of virtual time), not at every refresh of the row.
#[component]
fn Sparkline(props: &SparklineProps) -> Html {
    let s = &props.sparks;
    let label = format!("S{}: in flight up to {}, latest {}; queue up to {}, latest {}", props.id, s.in_flight_max, s.in_flight_latest, s.queue_len_max, s.queue_len_latest);
    html! {
        <svg class="spark" viewBox={SPARK_VIEWBOX} preserveAspectRatio="none" role="img" aria-label={label.clone()} data-testid="backend-spark">
            <title>{ label }</title>
            <line class="top" x1="0" y1={SPARK_TOP_Y.to_string()} x2={SPARK_W.to_string()} y2={SPARK_TOP_Y.to_string()} />
            <line class="zero" x1="0" y1={SPARK_BASE_Y.to_string()} x2={SPARK_W.to_string()} y2={SPARK_BASE_Y.to_string()} />
            <path class="queue" d={s.queue_d.clone()} />
            <path class="in-flight" d={s.in_flight_d.clone()} style={format!("stroke: {}", colour(props.id))} />
        </svg>
    }
}

fn latency_chart(bucket_ms: f64, series: &[Vec<f64>; 3]) -> Html {
    let (w, h, pad) = (600.0, 150.0, 28.0);
    let n = series[0].len();
    let top = series.iter().flatten().copied().fold(0.0_f64, f64::max).max(1.0);
    let x = |i: usize| pad + (w - pad - 8.0) * if n > 1 { i as f64 / (n - 1) as f64 } else { 0.0 };
    let y = |v: f64| h - 18.0 - (h - 30.0) * v / top;
    let names = ["p50", "p95", "p99"];
    html! {
        <figure class="latency-chart">
            <svg viewBox={format!("0 0 {w} {h}")} role="img" aria-label={format!("Latency p50, p95 and p99 over the last {n} samples of {bucket_ms:.0} ms; the highest is {top:.1} ms")}>
                <line class="axis" x1={pad.to_string()} y1={format!("{:.1}", y(0.0))} x2={(w - 8.0).to_string()} y2={format!("{:.1}", y(0.0))} />
                <text class="tick" x="2" y={format!("{:.1}", y(top) + 4.0)}>{ format!("{top:.0} ms") }</text>
                <text class="tick" x="2" y={format!("{:.1}", y(0.0))}>{ "0" }</text>
                { for series.iter().zip(names).map(|(s, name)| {
                    let points: Vec<String> = s.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect();
                    html! { <polyline class={classes!("series", name)} points={points.join(" ")} /> }
                }) }
            </svg>
            <figcaption>
                { for names.iter().map(|n| html! { <span class={classes!("key", *n)}>{ format!("— {n} ") }</span> }) }
                { format!("of the requests served in each {bucket_ms:.0} ms") }
            </figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
struct RingProps {
    ring: Rc<Vec<(u32, NodeId)>>,
    moved_to: Rc<Vec<NodeId>>,
    left: Rc<Vec<(u32, u32, NodeId)>>,
}

/// The ring: each backend's arcs (the keys that hash into them go to it) in its colour; the arcs
/// of backends the last change moved keys to are thicker. After a backend left (removed, or
/// down), its former arcs are drawn dashed inside the ring in its colour: the keys there moved
/// to the backend whose arc now covers them.
#[component]
fn RingView(props: &RingProps) -> Html {
    let (c, r, r_left) = (110.0, 90.0, 74.0);
    let mut ids: Vec<NodeId> = props.ring.iter().map(|(_, b)| *b).collect();
    ids.sort_unstable();
    ids.dedup();
    // The arc ending at each point belongs to that point's backend.
    let path_of = |id: NodeId| {
        let n = props.ring.len();
        let arcs = (0..n).filter(|&i| props.ring[i].1 == id).map(|i| (props.ring[(i + n - 1) % n].0, props.ring[i].0));
        ring_arcs_d(arcs, c, r)
    };
    let mut left_ids: Vec<NodeId> = props.left.iter().map(|a| a.2).collect();
    left_ids.sort_unstable();
    left_ids.dedup();
    let left_path = |id: NodeId| ring_arcs_d(props.left.iter().filter(|a| a.2 == id).map(|a| (a.0, a.1)), c, r_left);
    let label = if left_ids.is_empty() {
        format!("The hash ring: {} virtual nodes of {} backends", props.ring.len(), ids.len())
    } else {
        let names: Vec<String> = left_ids.iter().map(|id| format!("S{id}")).collect();
        format!("The hash ring: {} virtual nodes of {} backends; dashed inside, the arcs {} held before leaving", props.ring.len(), ids.len(), names.join(", "))
    };
    html! {
        <svg class="ring-view" viewBox="0 0 220 220" role="img" aria-label={label}>
            <g class="arcs">
            { for ids.iter().map(|&id| html! {
                <path key={id} class={classes!("arc", props.moved_to.contains(&id).then_some("moved"))} d={path_of(id)} style={format!("stroke: {}", colour(id))}>
                    <title>{ format!("S{id}'s arcs") }</title>
                </path>
            }) }
            </g>
            <g class="arcs-left">
            { for left_ids.iter().map(|&id| html! {
                <path key={id} class="arc left" d={left_path(id)} style={format!("stroke: {}", colour(id))} data-testid="ring-left">
                    <title>{ format!("S{id}'s arcs before it left: its keys moved to the next backend clockwise") }</title>
                </path>
            }) }
            </g>
            <text x={c.to_string()} y={(c + 4.0).to_string()} class="ring-label">{ format!("{} points", props.ring.len()) }</text>
        </svg>
    }
}

#[component]
pub fn BalancerView(props: &BalancerViewProps) -> Html {
    let Panel::Balancer(p) = &*props.panel else {
        return html! {};
    };
    html! { <BalancerBody panel={Rc::new((**p).clone())} on_request={props.on_request.clone()} on_reconfigure={props.on_reconfigure.clone()} /> }
}

#[derive(Properties, PartialEq)]
struct BodyProps {
    panel: Rc<BalancerPanel>,
    on_request: Callback<Value>,
    on_reconfigure: Callback<Value>,
}

#[component]
fn BalancerBody(props: &BodyProps) -> Html {
    let p = &props.panel;
    let max_share = p.backends.iter().map(|b| b.share_permille).max().unwrap_or(0);
    let ring = use_memo(p.ring.clone(), |r| r.clone());
    let moved = Rc::new(p.last_move.as_ref().map(|(_, to)| to.clone()).unwrap_or_default());
    let ring_left = use_memo(p.ring_left.clone(), |r| Rc::new(r.clone()));
    let burst = {
        let cb = props.on_request.clone();
        Callback::from(move |_: MouseEvent| cb.emit(json!({"burst": 100})))
    };
    html! {
        <section class="balancer-view" aria-label="Load balancing" data-testid="balancer-view">
            <h2>{ format!("Backends · {}", p.strategy) }</h2>
            <dl class="overall">
                { for p.overall.iter().map(|(k, v)| html! { <div key={*k}><dt>{ *k }</dt><dd>{ v }</dd></div> }) }
            </dl>
            <SettingsForm settings={p.settings.clone()} on_apply={props.on_reconfigure.clone()} />
            <button type="button" onclick={burst}>{ "Burst of 100 requests" }</button>
            <p class="spark-legend">
                { "Per backend, over the last " }{ format!("{:.0} s: ", p.spark_point_ms * SPARK_POINTS as f64 / 1000.0) }
                <svg class="spark-key" viewBox="0 0 16 8" aria-hidden="true"><line x1="0" y1="4" x2="16" y2="4" /></svg>
                { " requests in flight (in its colour) and " }
                <svg class="spark-key queue" viewBox="0 0 16 8" aria-hidden="true"><rect x="0" y="1" width="16" height="7" /></svg>
                { format!(" its queue, on one scale for all: 0 to {} at the dashed line", p.spark_top) }
            </p>
            // The rows are this list's only children: a sibling beside a keyed list makes Yew
            // reconcile it without keys.
            <ul class="backend-bars">
                { for p.backends.iter().map(|b| html! { <BackendRow key={b.id} bar={b.clone()} {max_share} on_request={props.on_request.clone()} /> }) }
            </ul>
            <h3>{ "Latency over time" }</h3>
            { latency_chart(p.latency.0, &p.latency.1) }
            if !p.ring.is_empty() || p.table.is_some() || p.last_move.is_some() {
                <h3>{ "Keys" }</h3>
                <div class="keys">
                    if !p.ring.is_empty() {
                        <RingView ring={ring.clone()} moved_to={moved.clone()} left={(*ring_left).clone()} />
                    }
                    if let Some((cells, size)) = &p.table {
                        <div class="maglev" role="img" aria-label={format!("Maglev's lookup table: its first {} of {size} entries", cells.len())}>
                            { for cells.iter().enumerate().map(|(i, id)| html! {
                                <span class="cell" title={format!("entry {i}: S{id}")} style={format!("background: {}", colour(*id))}></span>
                            }) }
                            <p class="hint">{ format!("The first {} of {size} table entries; each backend holds ⌊M/N⌋ or ⌈M/N⌉ of them.", cells.len()) }</p>
                        </div>
                    }
                    if let Some((text, _)) = &p.last_move {
                        <div class="move-notes">
                            <p class="last-move" data-testid="last-move">{ text }</p>
                            if let Some(&(_, _, id)) = p.ring_left.first() {
                                <p class="hint ring-left-note">{ format!("Dashed inside the ring: the arcs S{id} held, where the moved keys were; each now belongs to the next backend clockwise.") }</p>
                            }
                        </div>
                    }
                </div>
            }
        </section>
    }
}
