//! Play/pause (the page's one primary action), step back and step, the speed slider (log
//! scale), and the clock with the event count. On a phone this bar stays at the bottom of the
//! screen, so the run can be played and paused while the stage is in view.

use yew::prelude::*;

use crate::tr;

use crate::sim::Micros;
use crate::sim::time::AsMs;
use crate::view::geometry::{SLIDER_STEPS, slider_from_speed, speed_from_slider, speed_label};

pub struct ControlsProps {
    pub playing: bool,
    pub speed: f64,
    pub now_us: Micros,
    pub events: u64,
    pub on_toggle: Callback<()>,
    pub on_step: Callback<()>,
    pub on_step_back: Callback<()>,
    pub on_speed: Callback<f64>,
}

/// A 16-unit icon: play, pause, step back, step forward. Drawn, not typed, so that every
/// system shows the same shapes at the same size.
fn icon(path: &'static str) -> Html {
    html! { <svg class="glyph" viewBox="0 0 16 16" aria-hidden="true"><path d={path} /></svg> }
}

const PLAY: &str = "M4 2.5v11l9-5.5z";
const PAUSE: &str = "M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z";
const STEP: &str = "M3 2.5v11l7.5-5.5zM11 2.5h2.5v11H11z";
const STEP_BACK: &str = "M13 2.5v11L5.5 8zM2.5 2.5H5v11H2.5z";

pub fn controls(props: &ControlsProps) -> Html {
    let toggle = {
        let cb = props.on_toggle.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let step = {
        let cb = props.on_step.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let back = {
        let cb = props.on_step_back.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let oninput = {
        let cb = props.on_speed.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            if let Ok(pos) = input.value().parse::<u32>() {
                cb.emit(speed_from_slider(pos));
            }
        })
    };
    let (play_label, play_icon) = if props.playing { (tr!("Pause"), PAUSE) } else { (tr!("Play"), PLAY) };
    html! {
        <div class="controls" role="toolbar" aria-label={tr!("Run controls")}>
            <button type="button" class="icon" aria-label={tr!("Step back")} title={tr!("Step back one event (←)")} onclick={back}>{ icon(STEP_BACK) }</button>
            <button type="button" class="primary play" aria-label={play_label} title={tr!("Play or pause (space)")} onclick={toggle}>
                { icon(play_icon) }<span class="play-text">{ play_label }</span>
            </button>
            <button type="button" class="icon" aria-label={tr!("Step")} title={tr!("Step one event (→)")} onclick={step}>{ icon(STEP) }</button>
            <label class="speed" title={tr!("Speed: virtual time per second (+ and −)")}>
                <span class="visually-hidden">{ tr!("Speed") }</span>
                <input type="range" min="0" max={SLIDER_STEPS.to_string()} value={slider_from_speed(props.speed).to_string()}
                       aria-label={tr!("Speed")} aria-valuetext={speed_label(props.speed)} {oninput} />
                <output data-testid="speed">{ speed_label(props.speed) }</output>
            </label>
            <span class="clock">
                <output data-testid="clock">{ tr!("{ms} ms", ms = AsMs(props.now_us)) }</output>
                <output data-testid="event-count" aria-label={tr!("Event count")}>{ tr!("event {n}", n = props.events) }</output>
            </span>
        </div>
    }
}
