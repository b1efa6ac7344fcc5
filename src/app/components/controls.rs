//! Play/pause, step, step back and the speed slider (log scale), plus the clock and event count.

use yew::prelude::*;

use crate::sim::Micros;
use crate::sim::time::AsMs;
use crate::view::geometry::{SLIDER_STEPS, slider_from_speed, speed_from_slider, speed_label};

#[derive(Properties, PartialEq)]
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

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let toggle = { let cb = props.on_toggle.clone(); Callback::from(move |_: MouseEvent| cb.emit(())) };
    let step = { let cb = props.on_step.clone(); Callback::from(move |_: MouseEvent| cb.emit(())) };
    let back = { let cb = props.on_step_back.clone(); Callback::from(move |_: MouseEvent| cb.emit(())) };
    let oninput = {
        let cb = props.on_speed.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            if let Ok(pos) = input.value().parse::<u32>() {
                cb.emit(speed_from_slider(pos));
            }
        })
    };
    let (play_label, play_text) = if props.playing { ("Pause", "❚❚ Pause") } else { ("Play", "▶ Play") };
    html! {
        <div class="controls" role="toolbar" aria-label="Run controls">
            <button type="button" aria-label="Step back" title="Step back one event (←)" onclick={back}>{ "◀ Step back" }</button>
            <button type="button" class="play" aria-label={play_label} title="Play or pause (space)" onclick={toggle}>{ play_text }</button>
            <button type="button" aria-label="Step" title="Step one event (→)" onclick={step}>{ "Step ▶" }</button>
            <label class="speed">
                <span>{ "Speed " }</span>
                <input type="range" min="0" max={SLIDER_STEPS.to_string()} value={slider_from_speed(props.speed).to_string()}
                       aria-label="Speed" aria-valuetext={speed_label(props.speed)} {oninput} />
                <output data-testid="speed">{ speed_label(props.speed) }</output>
            </label>
            <span class="clock">
                <output data-testid="clock">{ format!("{} ms", AsMs(props.now_us)) }</output>
                { " · " }
                <output data-testid="event-count" aria-label="Event count">{ format!("event {}", props.events) }</output>
            </span>
        </div>
    }
}
