//! The time-travel bar: a slider over the run's virtual time up to its frontier (the furthest
//! time reached), seeking while it is dragged, with the run's marks (elections, commits,
//! crashes, partitions, violations...) as ticks above it that seek to their moment. Which ticks
//! are drawn is decided natively by [`thin`], so thousands of marks cost no more than two
//! hundred.

use std::rc::Rc;

use yew::prelude::*;

use crate::tr;

use crate::num::fixed;
use crate::sim::Micros;
use crate::view::marks::{DRAWN_MAX, KINDS, ScrubMark, ms_decimal, neighbour, parse_ms, percent, position_text, symbol, thin, tick_span_us};

pub struct ScrubberProps {
    /// The run's current virtual time.
    pub now_us: Micros,
    /// The furthest time the run has reached (the slider's end).
    pub frontier_us: Micros,
    /// Every mark, in time order.
    pub marks: Rc<Vec<ScrubMark>>,
    /// Go to this time (while dragging, on a tick, on previous/next mark).
    pub on_seek: Callback<Micros>,
}

/// About one bucket per six pixels of the window, so ticks rarely overlap on a phone and a
/// wide screen still gets [`DRAWN_MAX`]. Read at each render: cheap, and a resize shows on the
/// next frame.
fn buckets() -> usize {
    let width = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|v| v.as_f64()).unwrap_or(1200.0);
    ((width / 6.0) as usize).clamp(24, DRAWN_MAX)
}

pub fn scrubber(props: &ScrubberProps) -> Html {
    let frontier = props.frontier_us;
    let now = props.now_us.min(frontier);
    let oninput = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            if let Some(us) = parse_ms(&input.value(), frontier) {
                cb.emit(us);
            }
        })
    };
    let seek_to = |target: Option<Micros>| {
        let cb = props.on_seek.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(t) = target {
                cb.emit(t);
            }
        })
    };
    let previous = neighbour(&props.marks, now, frontier, false);
    let next = neighbour(&props.marks, now, frontier, true);
    // The ticks are placed on a span a little past the frontier and stretched back to it here:
    // as a run plays, this one property changes, not every tick.
    let span = tick_span_us(frontier);
    let stretch = if frontier == 0 { 1.0 } else { span as f64 / frontier as f64 };
    html! {
        <section class="scrubber" aria-label={tr!("Time travel")} data-testid="scrubber" style={format!("--stretch: {}", fixed(stretch, 6))}>
            <button type="button" class="icon mark-nav" aria-label={tr!("Previous mark")} title={tr!("Go to the previous mark")} disabled={previous.is_none()} onclick={seek_to(previous)}>{ "‹" }</button>
            <div class="scrub-track">
                <Ticks marks={props.marks.clone()} {span} on_seek={props.on_seek.clone()} />
                <input type="range" class="scrub-range" min="0" max={ms_decimal(frontier)} step="0.001" value={ms_decimal(now)}
                       aria-label={tr!("Virtual time")} aria-valuetext={position_text(now, frontier)} {oninput} />
            </div>
            <button type="button" class="icon mark-nav" aria-label={tr!("Next mark")} title={tr!("Go to the next mark")} disabled={next.is_none()} onclick={seek_to(next)}>{ "›" }</button>
            <output class="scrub-position" data-testid="scrub-position">{ position_text(now, frontier) }</output>
        </section>
    }
}

/// What the time line's symbols mean: only the kinds this run has marked (`marks`), so a page
/// never explains marks its protocol does not make.
pub fn mark_legend(marks: &[ScrubMark]) -> Html {
    let present = KINDS.iter().filter(|(kind, _, _)| marks.iter().any(|m| m.kind == *kind));
    html! {
        <ul class="legend scrub-legend" aria-label={tr!("Time line marks")}>
            { for present.map(|(kind, sym, word)| html! {
                <li key={*kind}><span class={classes!("tick-swatch", format!("mark-{kind}"))} aria-hidden="true">{ *sym }</span>{ crate::view::i18n::tr(word) }</li>
            }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct TicksProps {
    marks: Rc<Vec<ScrubMark>>,
    /// See [`tick_span_us`].
    span: Micros,
    on_seek: Callback<Micros>,
}

/// The marks above the slider: their own component, so moving the slider alone does not
/// rebuild them, and one click listener for all of them (each tick carries its time).
#[component]
fn Ticks(props: &TicksProps) -> Html {
    let span = props.span;
    let onclick = {
        let cb = props.on_seek.clone();
        Callback::from(move |e: MouseEvent| {
            let at = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                .and_then(|el| el.closest("[data-at]").ok().flatten())
                .and_then(|el| el.get_attribute("data-at"))
                .and_then(|v| v.parse::<Micros>().ok());
            if let Some(at) = at {
                cb.emit(at);
            }
        })
    };
    let ticks = thin(&props.marks, span, buckets()).into_iter().map(|i| {
        let m = &props.marks[i];
        let label = tr!("Go to {ms} ms: {what}", ms = ms_decimal(m.at_us), what = m.label);
        html! {
            // Out of the tab order: up to two hundred stops would bury the page; the
            // previous/next buttons reach every mark from the keyboard.
            <button key={i} type="button" tabindex="-1" class={classes!("tick", format!("mark-{}", m.kind))} data-at={m.at_us.to_string()}
                    style={format!("--at: {}%", fixed(percent(m.at_us, span), 3))} title={label.clone()} aria-label={label}>
                { symbol(m.kind) }
            </button>
        }
    });
    html! {
        <div class="scrub-ticks" role="group" aria-label={tr!("Marks")} {onclick}>
            { for ticks }
        </div>
    }
}
