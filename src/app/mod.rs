//! The browser app (wasm only): mounted by the `distlab-web` binary, which trunk builds.
//!
//! The Raft lab: a scenario runs in the deterministic simulator, drawn as servers on a ring with
//! their messages in flight; the clock follows wall time × speed through
//! `requestAnimationFrame`, and the run can be paused, stepped, scrubbed back and forth, and
//! disturbed (servers, messages, the network). The state and its typed actions are in
//! [`state`]; the components under [`components`] only draw and send actions. What they draw is
//! computed, natively testable, in [`crate::view`]. `?embed=1` gives the compact view for an
//! iframe ([`crate::view::page`]); the address's fragment always links to the moment on screen.

pub mod clock;
pub mod components;
pub mod deflate;
pub mod files;
mod frames;
pub mod keys;
pub mod lang;
mod narrow;
mod on_screen;
pub mod panic;
pub mod state;
pub mod url;

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use components::breakpoint::Breakpoint;
use components::cluster::ClusterPanel;
use components::compare::{CompareProps, compare};
use components::controls::{ControlsProps, controls};
use components::event_log::EventLog;
use components::guide::{GuidePanelProps, guide_panel};
use components::in_flight::InFlight;
use components::inspector::{InspectorProps, inspector};
use components::invariants::{InvariantsProps, invariants};
use components::network::NetworkPanel;
use components::scenarios::Scenarios;
use components::scrubber::{ScrubberProps, mark_legend, scrubber};
use components::session::Session;
use components::shortcuts::Shortcuts;
use components::spacetime::SpaceTime;
use components::stage::Stage;
use components::stage_menu::{StageMenuProps, stage_menu};
use state::{LabAction, LabState, SPACETIME_WINDOW_US, Selected};

use crate::tr;
use crate::view::page::PageOptions;

/// Opening the page with this URL fragment panics at start-up, so the browser tests can check
/// that a panic shows the error overlay rather than a dead page.
const PANIC_SELF_TEST_HASH: &str = "#panic-self-test";

/// Installs the panic hook, then mounts the app on `<body>` as the page of the family `family`
/// (see [`crate::view::family`]).
pub fn start(family: &str) {
    panic::install_panic_hook();
    crate::view::family::set_here(family);
    remember_preloaded();
    let wanted = lang::open(PageOptions::parse(&url::search()).lang.as_deref());
    url::set_title(&format!("{} · distlab", crate::view::i18n::tr(crate::view::family::here().title)));
    if url::hash() == PANIC_SELF_TEST_HASH {
        panic!("panic self-test requested by the URL fragment {PANIC_SELF_TEST_HASH}");
    }
    yew::Renderer::<App>::with_props(AppProps { wanted }).render();
}

/// What the page knows before its first render.
#[derive(Properties, PartialEq)]
struct AppProps {
    /// The language the page should speak (see [`lang::open`]).
    wanted: crate::view::i18n::Lang,
}

/// Hands the app the scenarios the page's loader fetched alongside the wasm (Trunk.toml's
/// `window.distlabScenarios`: the family's default).
fn remember_preloaded() {
    use wasm_bindgen::JsCast;
    let get = |v: &wasm_bindgen::JsValue, key: &str| js_sys::Reflect::get(v, &key.into()).ok();
    let Some(list) = web_sys::window().and_then(|w| get(&w, "distlabScenarios")).and_then(|l| l.dyn_into::<js_sys::Array>().ok()) else {
        return;
    };
    for item in list.iter() {
        if let (Some(name), Some(text)) = (get(&item, "name").and_then(|v| v.as_string()), get(&item, "text").and_then(|v| v.as_string())) {
            crate::view::shipped::remember(&name, &text);
        }
    }
}

/// Advances the clock while playing: on every animation frame, virtual time moves by the
/// elapsed wall time × speed; then the stage's clock signals its moving parts (the page itself
/// renders only if the frame changed what it shows).
#[hook]
fn use_frame_loop(lab: &UseReducerHandle<LabState>) {
    let (dispatcher, clocks) = (lab.dispatcher(), lab.page.clocks.clone());
    use_effect_with((lab.page.playing, lab.page.speed.to_bits()), move |&(playing, speed_bits)| {
        let running = playing.then(|| frames::FrameLoop::start(dispatcher, f64::from_bits(speed_bits), clocks));
        move || drop(running)
    });
}

/// Keeps links to the moment on screen whenever the run stands still (making them on every
/// frame while playing would cost more than it gives): the address's fragment (a page opened
/// without a link gets one only once something happened), and the embed's "Open in distlab",
/// `open_link`, whose `href` is set on the element (its render leaves it alone). The browser
/// compresses them in the background: one whose moment has gone by the time it is ready (the
/// run moved on, or plays) is dropped, so an older moment never overwrites a newer one.
/// Returns the JSON the embed's link was made of (empty while it may be an older moment's).
#[hook]
fn use_moment_links(lab: &UseReducerHandle<LabState>, open_link: &NodeRef) -> Rc<RefCell<String>> {
    let (run, open_link) = (lab.run.clone(), open_link.clone());
    let newest = use_memo((), |_| deflate::Newest::default());
    let made_of = use_mut_ref(String::new);
    let made = made_of.clone();
    // The language too: the link is made in it, and a new language draws a new embed link.
    let moment = (lab.page.playing, lab.page.events, lab.page.shown, lab.page.generation, crate::view::i18n::lang());
    use_effect_with(moment, move |&(playing, events, _, generation, _)| {
        made.borrow_mut().clear();
        let address = *events > 0 || generation > 0 || crate::view::share::is_run_link(&url::hash());
        if playing || !(address || open_link.get().is_some()) {
            newest.forget();
            return;
        }
        let payload = crate::view::share::payload(&run.borrow().shared());
        newest.pack(payload.clone(), move |fragment| {
            if address {
                url::replace_hash(&fragment);
            }
            if let Some(a) = open_link.cast::<web_sys::HtmlAnchorElement>() {
                a.set_href(&url::full_link(&fragment));
                *made.borrow_mut() = payload;
            }
        });
    });
    made_of
}

/// Goes to another family's page when the lab was asked for a run only that page's bundle
/// holds (see [`crate::view::family`]).
#[hook]
fn use_leaving(lab: &UseReducerHandle<LabState>) {
    use_effect_with(lab.page.leaving.clone(), |leaving| {
        match leaving {
            // A file's run goes in the fragment, compressed first.
            Some(crate::view::session::Leaving { href, run: Some(payload), replace }) => {
                let (href, replace) = (href.clone(), *replace);
                deflate::pack(payload.clone(), move |fragment| url::go(&format!("{href}#{fragment}"), replace));
            }
            Some(leaving) => url::go(&leaving.href, leaving.replace),
            None => {}
        }
    });
    // Back from that page, the browser may restore this one as it was left (its back-forward
    // cache), "Opening the … lab" notice and all: it then stays here.
    let dispatcher = lab.dispatcher();
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            gloo::events::EventListener::new(&window, "pageshow", move |e| {
                let restored = js_sys::Reflect::get(e.as_ref(), &"persisted".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
                if restored {
                    dispatcher.dispatch(LabAction::Returned);
                }
            })
        });
        move || drop(listener)
    });
}

/// Opens a run link put into the address of the open page: the browser does not reload for a
/// new fragment (a pasted link, Back between two links), so without this the lab would stay
/// where it was. The lab's own links replace the fragment through the history, which fires no
/// `hashchange`.
#[hook]
fn use_pasted_links(lab: &UseReducerHandle<LabState>) {
    let dispatcher = lab.dispatcher();
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            gloo::events::EventListener::new(&window, "hashchange", move |_| {
                let fragment = url::hash();
                if crate::view::share::is_run_link(&fragment) {
                    dispatcher.dispatch(LabAction::PastedLink(fragment));
                }
            })
        });
        move || drop(listener)
    });
}

/// Fetches the shipped scenario the lab asked for (this bundle carries only its family's
/// default: see [`crate::view::shipped::fetched`]) and hands its text to the reducer.
#[hook]
fn use_fetching(lab: &UseReducerHandle<LabState>) {
    let dispatcher = lab.dispatcher();
    use_effect_with(lab.page.fetching.clone(), move |fetching| {
        if let Some(name) = fetching.clone() {
            files::fetch_text(&crate::view::shipped::fetched(&name), move |text| dispatcher.dispatch(LabAction::Fetched(name, text)));
        }
    });
}

/// A callback that dispatches the action `f` makes of its input, the same callback on every
/// render.
#[hook]
fn use_dispatch<IN: 'static>(d: &UseReducerDispatcher<LabState>, f: fn(IN) -> LabAction) -> Callback<IN> {
    let d = d.clone();
    use_callback((), move |input, _| d.dispatch(f(input)))
}

fn file_stem(name: &str) -> &str {
    name.trim_end_matches(".json")
}

#[component]
fn App(props: &AppProps) -> Html {
    let options = use_memo((), |_| PageOptions::parse(&url::search()));
    // Renders only when what the page shows changed (see `LabState`'s `PartialEq`): a frame
    // that only moved the time moves the stage through its clock.
    let lab = use_reducer_eq({
        let options = options.clone();
        move || {
            let mut lab = LabState::open(&url::search(), &url::hash(), options.scenario.as_deref());
            let link = crate::view::share::is_run_link(&url::hash());
            *lab.page.autoplay = options.plays_at_start(url::reduced_motion(), false);
            // Opens playing, except at a link's moment, or where something needs reading first.
            lab.page.playing =
                options.plays_at_start(url::reduced_motion(), link) && lab.page.error.is_none() && lab.page.leaving.is_none() && lab.page.fetching.is_none() && !lab.run.borrow().violated();
            lab
        }
    });
    use_frame_loop(&lab);
    on_screen::use_on_screen(lab.dispatcher(), lab.page.generation);
    let narrow_screen = narrow::use_narrow_screen();
    let layout = narrow::screen_layout(lab.page.layout, narrow_screen);
    let open_link = use_node_ref();
    let open_link_made_of = use_moment_links(&lab, &open_link);
    use_leaving(&lab);
    use_pasted_links(&lab);
    use_fetching(&lab);
    keys::use_shortcuts(lab.dispatcher());

    // Callbacks keep their identity across frames (use_callback), so that a child whose data
    // did not change is not re-rendered just because the page was: on a playing lab that is
    // most of the page, sixty times a second.
    let d = lab.dispatcher();
    let on_toggle = use_dispatch(&d, |()| LabAction::TogglePlay);
    let on_step = use_dispatch(&d, |()| LabAction::StepForward);
    let on_step_back = use_dispatch(&d, |()| LabAction::StepBack);
    let on_close = use_dispatch(&d, |()| LabAction::Select(None));
    let on_help_close = use_dispatch(&d, |()| LabAction::Help(false));
    let on_speed = use_dispatch(&d, LabAction::SetSpeed);
    let on_seek = use_dispatch(&d, LabAction::Seek);
    let on_select_message = use_dispatch(&d, |id| LabAction::Select(Some(Selected::Message(id))));
    let on_command = use_dispatch(&d, |(id, c)| LabAction::NodeAction(id, c));
    let on_net = use_dispatch(&d, LabAction::Net);
    let on_load = use_dispatch(&d, LabAction::LoadScenario);
    let on_reset = use_dispatch(&d, |(n, seed)| LabAction::NewCluster(n, seed));
    let on_reseed = use_dispatch(&d, LabAction::Reseed);
    let on_import = use_dispatch(&d, |(name, text)| LabAction::Import(name, text));
    let on_error = use_dispatch(&d, LabAction::Error);
    let on_relabel = use_dispatch(&d, |()| LabAction::Relabel);
    let (language, on_language) = lang::use_language(props.wanted, on_error.clone(), on_relabel);
    let on_dismiss = use_dispatch(&d, |_: MouseEvent| LabAction::Dismiss);
    let on_help = use_dispatch(&d, |_: MouseEvent| LabAction::Help(true));
    let on_breakpoint = use_dispatch(&d, LabAction::Breakpoint);
    let on_select = {
        let d = d.clone();
        use_callback(lab.page.selected, move |id, selected| d.dispatch(LabAction::Select(if *selected == Some(Selected::Node(id)) { None } else { Some(Selected::Node(id)) })))
    };
    // The JSON of a link to the run as it stands, which the browser compresses.
    let payload = {
        let run = lab.run.clone();
        use_callback(lab.page.generation, move |(), _| crate::view::share::payload(&run.borrow().shared()))
    };
    // The share dialog's link: a newer request drops one still being compressed.
    let make_link = {
        let (payload, newest) = (payload.clone(), use_memo((), |_| deflate::Newest::default()));
        use_callback(payload.clone(), move |ready: Callback<String>, _| newest.pack(payload.emit(()), move |fragment| ready.emit(url::full_link(&fragment))))
    };
    // The embed's "Open in distlab", on a click that would follow an older moment (the run
    // plays, or its newest link is not ready): made for the moment on screen, then opened where
    // the link opens, a new tab.
    let on_open_link = use_callback(payload.clone(), move |e: MouseEvent, payload| {
        let text = payload.emit(());
        if *open_link_made_of.borrow() != text {
            e.prevent_default();
            deflate::pack(text, |fragment| url::open_in_new_tab(&url::full_link(&fragment)));
        }
    });
    let on_export_scenario = {
        let (run, d) = (lab.run.clone(), d.clone());
        use_callback(lab.page.generation, move |(), _| {
            let run = run.borrow();
            let name = format!("{}-session.json", file_stem(run.name()));
            if let Err(e) = files::download(&name, &crate::view::files::scenario_file(&run), "application/json") {
                d.dispatch(LabAction::Error(e));
            }
        })
    };
    let on_export_trace = {
        let (run, d) = (lab.run.clone(), d.clone());
        use_callback(lab.page.generation, move |(), _| {
            let run = run.borrow();
            let name = format!("{}-trace-{}.json", file_stem(run.name()), run.events());
            if let Err(e) = files::download(&name, &crate::view::files::trace_file(&run), "application/json") {
                d.dispatch(LabAction::Error(e));
            }
        })
    };
    let on_request = use_dispatch(&d, |v| LabAction::Operator(crate::protocols::balancer::BALANCER, v));
    let on_compare = use_dispatch(&d, LabAction::Compare);
    let on_reconfigure = use_dispatch(&d, LabAction::Reconfigure);
    // The twin's stage is for watching: selecting there would mean nothing in the first run.
    let ignore_node = use_callback((), |_: crate::sim::NodeId, _| ());
    let ignore_message = use_callback((), |_: u64, _| ());

    let on_guide_step = use_dispatch(&d, LabAction::GuideStep);
    let on_drop = use_dispatch(&d, LabAction::DropMessage);
    let on_menu_close = on_close.clone();

    let selected_node = match lab.page.selected {
        Some(Selected::Node(id)) => lab.page.nodes.iter().find(|n| n.id == id).cloned(),
        _ => None,
    };
    let selected_message = match lab.page.selected {
        Some(Selected::Message(id)) => Some(id),
        _ => None,
    };
    let violated = lab.page.invariants.iter().any(|i| i.violation.is_some());
    let highlight = Rc::new(lab.page.invariants.iter().filter_map(|i| i.violation.as_ref()).flat_map(|v| v.nodes.iter().copied()).collect::<Vec<_>>());
    let (latency_min, latency_max, loss, dup) = lab.page.network;
    let embed = options.embed;
    let shows = |panel: &str| options.shows(panel);
    let family = crate::view::family::here();
    let title = lab.page.guide.as_ref().as_ref().map_or_else(|| file_stem(&lab.page.scenario).to_string(), |g| g.title.clone());
    let guide_step = lab.page.guide.as_ref().as_ref().map_or(0, |g| g.step_at(lab.page.shown.0));

    let inspector = match (&lab.page.inspection, lab.page.selected) {
        (Some(inspection), Some(_)) => inspector(&InspectorProps { inspection: inspection.rc(), on_close: on_close.clone() }),
        (None, Some(Selected::Message(id))) => html! {
            <p class="hint" role="status">{ tr!("m{id} is no longer in flight: it was delivered or dropped.", id = id) }</p>
        },
        _ => html! {
            <p class="hint inspector-hint">{ tr!("Click or tap a server for its state and actions, or a message to see it or drop it. Press ? for the keyboard shortcuts.") }</p>
        },
    };
    // What a click on the stage offers, right under it (the stage gives it room).
    let stage_menu = match (lab.page.selected, &selected_node) {
        (Some(Selected::Node(id)), Some(node)) => Some(html! {
            { stage_menu(&StageMenuProps { title: format!("S{id} · {}", node.state), node: Some(node.clone()), message: None,
                on_command: on_command.clone(), on_drop: on_drop.clone(), on_close: on_menu_close.clone() }) }
        }),
        (Some(Selected::Message(id)), _) => lab.page.messages.iter().find(|m| m.id == id).map(|m| {
            html! {
                { stage_menu(&StageMenuProps { title: format!("m{id} {} {}→{}", m.kind, m.from, m.to), node: None, message: Some(id),
                    on_command: on_command.clone(), on_drop: on_drop.clone(), on_close: on_menu_close.clone() }) }
            }
        }),
        _ => None,
    };

    // The run's stage, built once: alone, or beside compare mode's second run.
    let main_stage = html! {
        <Stage nodes={lab.page.nodes.clone()} messages={lab.page.messages.clone()} now_us={lab.page.now_us} clock={lab.page.clocks[0].clone()} selected={selected_node.as_ref().map(|n| n.id)}
            {selected_message} {highlight} spans={lab.page.dropped.clone()} {on_select} on_select_message={on_select_message.clone()} colours={lab.page.colours} {layout}
            panel={components::stage::PanelRef(lab.page.panel.rc())} />
    };
    let stage = if let Some(twin) = &lab.page.twin {
        html! {
            <div class="stages">
                <figure>
                    <figcaption>{ format!("{title} ({})", crate::view::family::protocol_title(&lab.page.protocol)) }</figcaption>
                    { main_stage }
                </figure>
                <figure data-testid="twin">
                    <figcaption>
                        { twin.label.clone() }
                        if let Some(b) = &twin.broken {
                            <span class="broken">{ format!(" — stopped: {b}") }</span>
                        }
                    </figcaption>
                    <Stage nodes={twin.nodes.clone()} messages={twin.messages.clone()} now_us={twin.now_us} clock={twin.clock.clone()} selected={None::<u32>}
                        selected_message={None::<u64>} highlight={Rc::new(Vec::new())} spans={twin.spans.clone()} on_select={ignore_node.clone()} on_select_message={ignore_message.clone()} colours={twin.colours} layout={narrow::screen_layout(twin.layout, narrow_screen)}
                        interactive={false} label={AttrValue::from(tr!("Servers and messages of {run}", run = twin.label))} />
                </figure>
            </div>
        }
    } else {
        main_stage
    };
    let guide = guide_panel(&GuidePanelProps { guide: lab.page.guide.rc(), description: AttrValue::from(lab.page.description.clone()), step: guide_step, on_step: on_guide_step });
    let invariants_panel = invariants(&InvariantsProps { invariants: lab.page.invariants.rc() });
    let inspector_panel = html! {
        <>
            { inspector }
            <InFlight messages={lab.page.listed.clone()} on_select={on_select_message.clone()} />
        </>
    };
    let spacetime = html! {
        <SpaceTime spans={lab.page.spans.clone()} markers={lab.page.past_markers.clone()} nodes={lab.page.node_count} now_us={lab.page.spans_at_us}
            window_us={SPACETIME_WINDOW_US} on_select_message={on_select_message.clone()} colours={lab.page.colours} every={lab.page.spans_every} />
    };
    let protocol = protocol_panel(&lab.page.panel.rc(), &on_request, &on_reconfigure);
    let network = html! {
        <NetworkPanel nodes={lab.page.node_count} latency_ms={(latency_min, latency_max)} loss_percent={loss} duplicate_percent={dup} lead={lab.page.lead} on_command={on_net.clone()} />
    };
    let events = html! { <EventLog lines={lab.page.log.clone()} nodes={lab.page.node_count} playing={lab.page.playing} /> };
    let legend_card = html! {
        <section class="card legend-card" aria-label={tr!("Legend")}>
            { legend(lab.page.legend) }
            { mark_legend(&lab.page.marks) }
        </section>
    };

    // An embed shows the panels its address names beside the stage, each a section that opens
    // and closes (the first open), so that any number of them fits a small iframe.
    let tabs: Vec<(&'static str, &'static str, Html)> = if embed {
        [
            ("guide", "Guide", guide.clone()),
            ("invariants", "Invariants", invariants_panel.clone()),
            ("inspector", "Inspector", inspector_panel.clone()),
            ("logs", crate::view::i18n::tr(crate::view::family::here().panel_title), protocol.clone()),
            ("spacetime", "Diagram", spacetime.clone()),
            ("events", "Events", events.clone()),
            ("network", "Network", network.clone()),
        ]
        .into_iter()
        .filter(|(key, _, _)| shows(key))
        .collect()
    } else {
        Vec::new()
    };
    let has_side = !embed || !tabs.is_empty();
    let aspect = crate::view::geometry::view_width(layout) / crate::view::geometry::view_height(layout);

    html! {
        <main key={language.code()} class={classes!("lab", embed.then_some("embed"), (!has_side).then_some("no-side"), (embed && shows("timeline")).then_some("with-timeline"))}
              style={format!("--aspect: {}", crate::num::fixed(aspect, 4))}>
            if embed {
                <header class="topbar compact">
                    <span class="brand">{ "distlab" }</span>
                    <span class="scenario-title">{ title.clone() }</span>
                    <a ref={open_link} class="open-link" href={url::full_link("")} target="_blank" rel="noopener" onclick={on_open_link}>{ tr!("Open in distlab ↗") }</a>
                </header>
            } else {
                <header class="topbar">
                    <div class="heading">
                        <span class="brand" aria-hidden="true">{ "distlab" }</span>
                        <h1 data-testid="title">{ crate::view::i18n::tr(family.title) }</h1>
                        <p class="subtitle">{ crate::view::i18n::tr(family.subtitle) }</p>
                    </div>
                    <Scenarios current={lab.page.scenario.clone()} {on_load} />
                    { language_switch(language, &on_language) }
                    <button type="button" class="icon" aria-label={tr!("Keyboard shortcuts")} aria-keyshortcuts="?" title={tr!("Keyboard shortcuts (?)")} onclick={on_help}>{ "?" }</button>
                </header>
            }
            <div class="toasts">
                { for lab.page.error.as_ref().map(|e| toast("error", "alert", e, &on_dismiss)) }
                { for lab.page.notice.as_ref().map(|n| toast("notice", "status", n, &on_dismiss)) }
                if !options.unknown_panels.is_empty() {
                    <p class="error" role="status">{ tr!("Unknown panels in the address: {names} (known: {known}).", names = options.unknown_panels.join(", "), known = crate::view::page::PANELS.join(", ")) }</p>
                }
            </div>
            <section class="stage-col" aria-label={tr!("The run")}>
                <div class="stage-box">
                    { stage }
                    if violated {
                        <p class="violation-banner" role="status">{ tr!("An invariant broke: the run stopped on the event that broke it.") }</p>
                    }
                    if lab.page.fetching.is_some() {
                        <p class="loading" role="status">{ tr!("Loading the scenario…") }</p>
                    }
                </div>
                { for stage_menu }
                { controls(&ControlsProps { playing: lab.page.playing, speed: lab.page.speed, now_us: lab.page.shown.0, events: lab.page.shown.1, on_toggle, on_step, on_step_back, on_speed }) }
                if !embed || shows("timeline") {
                    { scrubber(&ScrubberProps { now_us: lab.page.shown.0, frontier_us: lab.page.shown.2, marks: lab.page.marks.rc(), on_seek }) }
                }
            </section>
            if embed {
                if !tabs.is_empty() {
                    <aside class="side">
                        { for tabs.into_iter().enumerate().map(|(i, (key, label, html))| html! {
                            <details class="embed-panel" key={key} open={i == 0}>
                                <summary>{ label }</summary>
                                { html }
                            </details>
                        }) }
                    </aside>
                }
            } else {
                <aside class="side" aria-label={tr!("Guide and state")}>
                    { guide }
                    { inspector_panel }
                    { invariants_panel }
                    { legend_card }
                </aside>
                <div class="wide">
                    { protocol }
                    { spacetime }
                </div>
                <div class="deep">
                    { compare(&CompareProps { choices: lab.page.twin_choices.rc(), comparing: lab.page.twin.as_ref().map(|t| t.label.clone()),
                        current: format!("{title} ({})", crate::view::family::protocol_title(&lab.page.protocol)), metrics: lab.page.metrics.rc(), on_compare }) }
                    <div class="panels">
                        { network }
                        <Breakpoint nodes={lab.page.node_count} kinds={lab.page.message_kinds} current={lab.page.breakpoint.clone()} on_set={on_breakpoint} />
                        <ClusterPanel nodes={lab.page.node_count} seed={lab.page.seed} {on_reset} {on_reseed} />
                        <Session {make_link} {on_export_scenario} {on_export_trace} {on_import} {on_error} />
                    </div>
                    { events }
                </div>
            }
            <Shortcuts open={lab.page.help} on_close={on_help_close} />
        </main>
    }
}

/// The protocol's own panel. Each is compiled only into the bundles whose family shows it (see
/// `crate::view::family`), so the Raft page does not carry the balancer's charts.
#[allow(unused_variables)]
fn protocol_panel(panel: &Rc<crate::view::Panel>, on_request: &Callback<serde_json::Value>, on_reconfigure: &Callback<serde_json::Value>) -> Html {
    #[cfg(feature = "raft")]
    if panel.get::<Vec<crate::view::LogRow>>().is_some() {
        return html! { <components::log_view::LogView panel={panel.clone()} /> };
    }
    #[cfg(feature = "commit")]
    if panel.get::<crate::view::commit_face::TxPanel>().is_some() {
        return components::tx_view::tx_view(&components::tx_view::TxViewProps { panel: panel.clone() });
    }
    #[cfg(feature = "paxos")]
    if panel.get::<crate::view::paxos_face::AcceptorPanel>().is_some() {
        return html! { <components::acceptor_view::AcceptorView panel={panel.clone()} /> };
    }
    #[cfg(feature = "balancer")]
    if panel.get::<crate::view::balancer_face::BalancerPanel>().is_some() {
        return components::balancer_view::balancer_view(&components::balancer_view::BalancerViewProps {
            panel: panel.clone(),
            on_request: on_request.clone(),
            on_reconfigure: on_reconfigure.clone(),
        });
    }
    Html::default()
}

/// The header's switch to the other language, named in that language (so a reader of it finds
/// it, and a screen reader says it in its voice).
fn language_switch(now: crate::view::i18n::Lang, on_language: &Callback<crate::view::i18n::Lang>) -> Html {
    let other = crate::view::i18n::Lang::ALL.into_iter().find(|l| *l != now).unwrap_or_default();
    let onclick = on_language.reform(move |_: MouseEvent| other);
    html! {
        <button type="button" class="lang-switch" lang={other.html_tag()} title={tr!("Language")} data-testid="lang-switch" {onclick}>{ other.own_name() }</button>
    }
}

/// A message over the page (an error or a notice: its class, role and test id), dismissable.
fn toast(class: &'static str, role: &'static str, text: &str, on_dismiss: &Callback<MouseEvent>) -> Html {
    html! {
        <div {class} {role} data-testid={class}>
            <span>{ text }</span>
            <button type="button" class="dismiss" aria-label={tr!("Dismiss the message")} onclick={on_dismiss.clone()}>{ "✕" }</button>
        </div>
    }
}

/// The stage's legend: the protocol's own entries (a swatch class, or empty for none; text),
/// then what every stage draws.
fn legend(items: &'static [(&'static str, &'static str)]) -> Html {
    html! {
        <ul class="legend" aria-label={tr!("Legend")}>
            { for items.iter().map(|(swatch, text)| html! {
                <li>
                    if !swatch.is_empty() {
                        <span class={classes!("swatch", *swatch)}></span>
                    }
                    { crate::view::i18n::tr(text) }
                </li>
            }) }
            <li><span class="swatch down"></span>{ tr!("✕ down, ❚❚ paused") }</li>
            <li>{ tr!("✕ fading: a message lost; side A/B: partition; dashed ring: isolated") }</li>
        </ul>
    }
}
