//! A load balancer's panel: the run's figures, a bar per backend (its share of the served
//! requests, what is in flight to it, its queue) with the operator's controls (remove or add
//! it, slow it down, change its weight), the latency percentiles over time, and for the hashing
//! strategies the ring of virtual nodes (or Maglev's table) with the keys the last membership
//! change moved.

use std::rc::Rc;

use serde_json::{Value, json};
use yew::prelude::*;

use crate::tr;

use crate::num::fixed;

use super::stage::PanelRef;
use crate::protocols::balancer::strategy::NAMES;
use crate::sim::NodeId;
use crate::view::balancer_face::{BackendBar, BalancerPanel, SPARK_BASE_Y, SPARK_POINTS, SPARK_TOP_Y, SPARK_VIEWBOX, SPARK_W, Settings, Sparks};
use crate::view::{Panel, palette};

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
        <form class="lb-settings" aria-label={tr!("Balancer settings")} onsubmit={apply}>
            <label>{ tr!("Strategy ") }
                <select onchange={on_strategy}>
                    { for NAMES.iter().map(|n| html! { <option key={*n} value={*n} selected={*n == d.strategy}>{ crate::view::balancer_face::strategy_name(n) }</option> }) }
                </select>
            </label>
            if let Some(rate) = d.rate_per_s {
                <label>{ tr!("Requests per second ") }
                    <input type="number" min="1" max="100000" step="any" value={crate::num::short(rate, 3)}
                        onchange={number(|s, v| s.rate_per_s = Some(v.clamp(0.001, 1_000_000.0)))} />
                </label>
            }
            <label>{ tr!("Zipf skew (0 uniform) ") }
                <input type="number" min="0" max="10" step="0.1" value={crate::num::short(d.zipf, 3)} onchange={number(|s, v| s.zipf = v.clamp(0.0, 10.0))} />
            </label>
            <label>{ tr!("Health check interval in ms (0 none) ") }
                <input type="number" min="0" step="any" value={crate::num::short(d.health_interval_ms, 3)} onchange={number(|s, v| s.health_interval_ms = v.max(0.0))} />
            </label>
            <label>{ tr!("Failed checks before a backend is out ") }
                <input type="number" min="1" max="100" value={d.health_fall.to_string()} onchange={number(|s, v| s.health_fall = v.clamp(1.0, 100.0) as u32)} />
            </label>
            <button type="submit" disabled={*d == props.settings}>{ tr!("Apply (starts over)") }</button>
        </form>
    }
}

/// A backend's colour, the same in the bars, the sparklines, the ring and the table as on the
/// stage ([`palette`]), as the custom property the panel's style sheet draws with (`--c`).
fn colour(id: NodeId) -> String {
    format!("--c: {}", palette::backend_colour(id))
}

struct RowProps {
    bar: BackendBar,
    /// The largest share of any backend, ‰: the bars' full width.
    max_share: u64,
    on_request: Callback<Value>,
}

/// A backend's row: its share, sparkline, figures and the operator's controls (a plain
/// function: the panel renders only when it changed, five times a second at most while
/// playing, and a component per row cost the download more than it saved).
fn backend_row(props: &RowProps) -> Html {
    let (b, max_share, on_request) = (&props.bar, props.max_share, &props.on_request);
    let width = if max_share == 0 { 0.0 } else { b.share_permille as f64 * 100.0 / max_share as f64 };
    let state = if !b.up {
        crate::tr_key!("down")
    } else if !b.member {
        crate::tr_key!("removed")
    } else if !b.healthy {
        crate::tr_key!("unhealthy")
    } else {
        ""
    };
    let op = |v: Value| {
        let cb = on_request.clone();
        Callback::from(move |_: MouseEvent| cb.emit(v.clone()))
    };
    let id = b.id;
    let load = b.load.map(|l| tr!(" · {busy}/{slots} busy · q {queued}", busy = l.busy, slots = l.slots, queued = l.queued)).unwrap_or_default();
    html! {
        <li key={id} class={classes!("backend-bar", (!state.is_empty()).then_some(state))} data-testid="backend-bar">
            <span class="name">{ format!("S{id}") }</span>
            <span class="track" title={tr!("{p} % of the served requests", p = fixed(b.share_permille as f64 / 10.0, 1))}>
                <span class="fill" style={format!("width: {}%; {}", fixed(width, 1), colour(id))}></span>
            </span>
            { sparkline(&SparklineProps { id, sparks: b.sparks.clone() }) }
            <span class="figures">
                { tr!("{p} % · {served} served · {in_flight} in flight", p = fixed(b.share_permille as f64 / 10.0, 1), served = b.served, in_flight = b.in_flight) }{ load }
                if let Some(k) = b.keys {
                    { tr!(" · {k} keys", k = k) }
                }
                if b.weight != 1 {
                    { tr!(" · weight {w}", w = b.weight) }
                }
                if !state.is_empty() {
                    <strong>{ " · " }{ crate::view::i18n::tr(state) }</strong>
                }
            </span>
            <span class="ops">
                if b.member {
                    <button type="button" class="secondary" aria-label={tr!("Remove S{id}", id = id)} onclick={op(json!({"remove": id}))}>{ tr!("remove") }</button>
                } else {
                    <button type="button" class="secondary" aria-label={tr!("Add S{id}", id = id)} onclick={op(json!({"add": id}))}>{ tr!("add") }</button>
                }
                if b.up {
                    <button type="button" class="secondary" aria-label={tr!("Slow S{id} down three times", id = id)} onclick={op(json!({"slow": 3, "backend": id}))}>{ tr!("slow ×3") }</button>
                    <button type="button" class="secondary" aria-label={tr!("Normal speed for S{id}", id = id)} onclick={op(json!({"slow": 1, "backend": id}))}>{ tr!("normal") }</button>
                }
                <button type="button" class="secondary" aria-label={tr!("Weight of S{id} up (w+)", id = id)} onclick={op(json!({"weight": b.weight + 1, "backend": id}))}>{ "w+" }</button>
                <button type="button" class="secondary" aria-label={tr!("Weight of S{id} down (w−)", id = id)} disabled={b.weight <= 1} onclick={op(json!({"weight": b.weight.saturating_sub(1).max(1), "backend": id}))}>{ "w−" }</button>
            </span>
        </li>
    }
}

struct SparklineProps {
    id: NodeId,
    sparks: Sparks,
}

/// A backend's in-flight line over its queue's area. Its own component: the paths change only
/// when a sample is added (every 100 ms of virtual time), not at every refresh of the row.
fn sparkline(props: &SparklineProps) -> Html {
    let s = &props.sparks;
    let label = tr!(
        "S{id}: in flight up to {fmax}, latest {flast}; queue up to {qmax}, latest {qlast}",
        id = props.id,
        fmax = s.in_flight_max,
        flast = s.in_flight_latest,
        qmax = s.queue_len_max,
        qlast = s.queue_len_latest
    );
    html! {
        <svg class="spark" viewBox={SPARK_VIEWBOX} preserveAspectRatio="none" role="img" aria-label={label.clone()} data-testid="backend-spark">
            <title>{ label }</title>
            <line class="top" x1="0" y1={SPARK_TOP_Y.to_string()} x2={SPARK_W.to_string()} y2={SPARK_TOP_Y.to_string()} />
            <line class="zero" x1="0" y1={SPARK_BASE_Y.to_string()} x2={SPARK_W.to_string()} y2={SPARK_BASE_Y.to_string()} />
            <path class="queue" d={s.queue_d.clone()} />
            <path class="in-flight" d={s.in_flight_d.clone()} style={colour(props.id)} />
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
            <svg viewBox={format!("0 0 {} {}", fixed(w, 0), fixed(h, 0))} role="img" aria-label={tr!("Latency p50, p95 and p99 over the last {n} samples of {bucket} ms; the highest is {top} ms", n = n, bucket = fixed(bucket_ms, 0), top = fixed(top, 1))}>
                <line class="axis" x1={fixed(pad, 1)} y1={fixed(y(0.0), 1)} x2={fixed(w - 8.0, 1)} y2={fixed(y(0.0), 1)} />
                <text class="tick" x="2" y={fixed(y(top) + 4.0, 1)}>{ tr!("{ms} ms", ms = fixed(top, 0)) }</text>
                <text class="tick" x="2" y={fixed(y(0.0), 1)}>{ "0" }</text>
                { for series.iter().zip(names).map(|(s, name)| {
                    let points: Vec<String> = s.iter().enumerate().map(|(i, v)| format!("{},{}", fixed(x(i), 1), fixed(y(*v), 1))).collect();
                    html! { <polyline class={classes!("series", name)} points={points.join(" ")} /> }
                }) }
            </svg>
            <figcaption>
                { for names.iter().map(|n| html! { <span class={classes!("key", *n)}>{ format!("— {n} ") }</span> }) }
                { tr!("of the requests served in each {ms} ms", ms = fixed(bucket_ms, 0)) }
            </figcaption>
        </figure>
    }
}

pub fn balancer_view(props: &BalancerViewProps) -> Html {
    if props.panel.get::<BalancerPanel>().is_none() {
        return html! {};
    }
    html! { <BalancerBody panel={PanelRef(props.panel.clone())} on_request={props.on_request.clone()} on_reconfigure={props.on_reconfigure.clone()} /> }
}

#[derive(Properties, PartialEq)]
struct BodyProps {
    /// Compared by pointer: the page keeps the `Rc` while the panel is the same, so the body
    /// renders when the panel changes (five times a second at most while playing), not with
    /// every render of the page.
    panel: PanelRef,
    on_request: Callback<Value>,
    on_reconfigure: Callback<Value>,
}

#[component]
fn BalancerBody(props: &BodyProps) -> Html {
    let Some(p) = props.panel.0.get::<BalancerPanel>() else {
        return html! {};
    };
    let max_share = p.backends.iter().map(|b| b.share_permille).max().unwrap_or(0);
    let burst = {
        let cb = props.on_request.clone();
        Callback::from(move |_: MouseEvent| cb.emit(json!({"burst": 100})))
    };
    html! {
        <section class="balancer-view" aria-label={tr!("Load balancing")} data-testid="balancer-view">
            <h2>{ tr!("Backends · {strategy}", strategy = p.strategy) }</h2>
            <dl class="overall">
                { for p.overall.iter().map(|(k, v)| html! { <div key={*k}><dt>{ crate::view::i18n::tr(k) }</dt><dd>{ v }</dd></div> }) }
            </dl>
            <SettingsForm settings={p.settings.clone()} on_apply={props.on_reconfigure.clone()} />
            <button type="button" onclick={burst}>{ tr!("Burst of 100 requests") }</button>
            <p class="spark-legend">
                { tr!("Per backend, over the last {s} s:", s = fixed(p.spark_point_ms * SPARK_POINTS as f64 / 1000.0, 0)) }{ " " }
                <svg class="spark-key" viewBox="0 0 16 8" aria-hidden="true"><line x1="0" y1="4" x2="16" y2="4" /></svg>
                { " " }{ tr!("requests in flight (in its colour) and") }{ " " }
                <svg class="spark-key queue" viewBox="0 0 16 8" aria-hidden="true"><rect x="0" y="1" width="16" height="7" /></svg>
                { " " }{ tr!("its queue, on one scale for all: 0 to {top} at the dashed line", top = p.spark_top) }
            </p>
            // The rows are this list's only children: a sibling beside a keyed list makes Yew
            // reconcile it without keys.
            <ul class="backend-bars">
                { for p.backends.iter().map(|b| backend_row(&RowProps { bar: b.clone(), max_share, on_request: props.on_request.clone() })) }
            </ul>
            <h3>{ tr!("Latency over time") }</h3>
            { latency_chart(p.latency.0, &p.latency.1) }
            // The ring or Maglev's table itself is on the stage, around the balancer: here, what
            // the last membership change did to the keys, in words.
            if p.last_move.is_some() {
                <h3>{ tr!("Keys") }</h3>
                <div class="keys">
                    if let Some((text, _)) = &p.last_move {
                        <div class="move-notes">
                            <p class="last-move" data-testid="last-move">{ text }</p>
                            if let Some(&(_, _, id)) = p.ring_left.first() {
                                <p class="hint ring-left-note">{ tr!("Dashed inside the ring on the stage: the arcs S{id} held, where the moved keys were; each now belongs to the next backend clockwise.", id = id) }</p>
                            }
                        </div>
                    }
                </div>
            }
        </section>
    }
}
