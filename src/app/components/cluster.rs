//! The cluster panel: a blank cluster of a chosen size, or the current scenario again under
//! another seed. The seed is typed as text, since a number input would round a u64 above 2^53.

use yew::prelude::*;

use crate::tr;

use crate::protocols::raft::Raft;
use crate::scenario::ScenarioProtocol;

/// Largest cluster offered: what a Raft scenario allows.
const MAX_NODES: u32 = <Raft as ScenarioProtocol>::MAX_NODES;

#[derive(Properties, PartialEq)]
pub struct ClusterPanelProps {
    /// The current cluster size.
    pub nodes: u32,
    /// The current root seed.
    pub seed: u64,
    /// Start a blank cluster: (size, seed).
    pub on_reset: Callback<(u32, u64)>,
    /// Run the current scenario again with this seed.
    pub on_reseed: Callback<u64>,
}

/// The seed in `text`: digits only (no sign, no spaces inside), within u64.
fn parse_seed(text: &str) -> Option<u64> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

#[component]
pub fn ClusterPanel(props: &ClusterPanelProps) -> Html {
    let size = use_state(|| props.nodes.clamp(1, MAX_NODES));
    let seed_text = use_state(|| props.seed.to_string());
    let error = use_state(|| false);
    {
        // A run loaded elsewhere (a scenario, a link) shows its own size and seed.
        let (size, seed_text, error) = (size.clone(), seed_text.clone(), error.clone());
        use_effect_with((props.nodes, props.seed), move |&(nodes, seed)| {
            size.set(nodes.clamp(1, MAX_NODES));
            seed_text.set(seed.to_string());
            error.set(false);
        });
    }
    let onchange = {
        let size = size.clone();
        Callback::from(move |e: Event| {
            let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() else {
                return;
            };
            if let Ok(n) = select.value().parse::<u32>() {
                size.set(n.clamp(1, MAX_NODES));
            }
        })
    };
    let oninput = {
        let (seed_text, error) = (seed_text.clone(), error.clone());
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else {
                return;
            };
            seed_text.set(input.value());
            error.set(false);
        })
    };
    // Both buttons need a valid seed; a bad one shows why instead of doing anything.
    let with_seed = |f: Box<dyn Fn(u64)>| {
        let (seed_text, error) = (seed_text.clone(), error.clone());
        Callback::from(move |_: MouseEvent| match parse_seed(&seed_text) {
            Some(seed) => f(seed),
            None => error.set(true),
        })
    };
    let reset = {
        let (cb, size) = (props.on_reset.clone(), *size);
        with_seed(Box::new(move |seed| cb.emit((size, seed))))
    };
    let reseed = {
        let cb = props.on_reseed.clone();
        with_seed(Box::new(move |seed| cb.emit(seed)))
    };
    html! {
        <section class="panel cluster-panel" aria-label={tr!("Cluster")} data-testid="cluster-panel">
            <h2>{ tr!("Cluster") }</h2>
            <div class="panel-row">
                <label class="field">
                    <span>{ tr!("Servers") }</span>
                    <select aria-label={tr!("Cluster size")} {onchange}>
                        { for (1..=MAX_NODES).map(|n| html! {
                            <option key={n} value={n.to_string()} selected={n == *size}>{ n }</option>
                        }) }
                    </select>
                </label>
                <label class="field">
                    <span>{ tr!("Seed") }</span>
                    <input type="text" inputmode="numeric" autocomplete="off" spellcheck="false" class="seed"
                           aria-label={tr!("Seed")} aria-invalid={error.to_string()}
                           aria-describedby={(*error).then_some("cluster-seed-error")}
                           value={(*seed_text).clone()} {oninput} />
                </label>
            </div>
            if *error {
                <p class="field-error" id="cluster-seed-error" role="alert">
                    { tr!("The seed is a whole number from 0 to {max}.", max = u64::MAX) }
                </p>
            }
            <div class="panel-row">
                <button type="button" onclick={reset}>{ tr!("New cluster") }</button>
                <button type="button" class="secondary" onclick={reseed}>{ tr!("Rerun this scenario with seed") }</button>
            </div>
        </section>
    }
}
