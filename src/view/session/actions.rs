//! What can happen to the lab ([`LabAction`]) and what each does to the session: the one
//! reducer, as Yew's `use_reducer` examples have it, but plain Rust (`app::state` hands it to
//! Yew).

use super::twin::compare_metrics;
use super::{LabState, Selected, Shared, SlowPart, Twin};
use crate::sim::{Micros, NodeId};
use crate::view::family;
use crate::view::geometry::{SPEED_MAX, SPEED_MIN, speed_step};
use crate::view::{LabRun, NetCommand, NodeCommand};

/// What can happen to the lab.
#[derive(Clone, Debug, PartialEq)]
pub enum LabAction {
    /// The browser brought the page back (its back-forward cache) after it left for another
    /// family's page: it stays, and forgets that it was leaving.
    Returned,
    /// Run in real time × speed.
    Play,
    /// Stop the clock.
    Pause,
    /// Play or pause.
    TogglePlay,
    /// An animation frame: advance the virtual clock by this many µs (while playing).
    Tick(Micros),
    /// Pause and process exactly one event.
    StepForward,
    /// Pause and go back one event.
    StepBack,
    /// Pause and move to a moment (the scrubber).
    Seek(Micros),
    /// Move to the start of this step of the guide, playing on if the run was playing.
    GuideStep(usize),
    /// Virtual time per wall time.
    SetSpeed(f64),
    /// Faster (positive) or slower by this many keyboard steps.
    SpeedStep(i32),
    /// Open the inspector on something, or close it.
    Select(Option<Selected>),
    /// A command on a server.
    NodeAction(NodeId, NodeCommand),
    /// The same scenario with this `config` patch, from the start.
    Reconfigure(serde_json::Value),
    /// An operator's request to a server, as a scenario writes it (a balancer's `{"remove": 3}`).
    Operator(NodeId, serde_json::Value),
    /// Compare mode: set the run of this choice (an index into [`LabState::twin_choices`])
    /// beside the current one, or none.
    Compare(Option<usize>),
    /// A client request to the selected server, else the leader, else S1 (the `c` key).
    ClientRequest,
    /// A command on the network.
    Net(NetCommand),
    /// Drop a message in flight.
    DropMessage(u64),
    /// Load a shipped scenario by file name and play it from the start (paused where the page
    /// does not play on its own: see [`LabState::autoplay`]).
    LoadScenario(String),
    /// The text of a shipped scenario this bundle fetches rather than carries (see
    /// [`crate::view::shipped::fetched`]), or why it could not be had.
    Fetched(String, Result<String, String>),
    /// A blank cluster of this many servers under this seed.
    NewCluster(u32, u64),
    /// The current scenario again under another seed.
    Reseed(u64),
    /// A file the person picked (name, text): a scenario or a trace.
    Import(String, String),
    /// A run link's fragment, as the page opens.
    OpenLink(String),
    /// A run link's fragment put into the address of the open page (pasted, or the browser's
    /// Back between two of them): the browser does not reload for a new fragment, so the lab
    /// opens it itself, paused at its moment. A damaged one leaves the run as it was.
    PastedLink(String),
    /// An error from outside the reducer (a file that could not be read).
    Error(String),
    /// Set or clear the breakpoint (pause when a server sends a type of message).
    Breakpoint(Option<(NodeId, String)>),
    /// Show or hide the keyboard shortcuts.
    Help(bool),
    /// A read panel came into sight (`true`) or left it (the browser's `IntersectionObserver`).
    OnScreen(SlowPart, bool),
    /// Close whatever is open (help, inspector) and clear messages: the Escape key.
    Dismiss,
    /// The page's language changed (see [`crate::view::i18n`]): every word it shows is made
    /// again, the run left where it is.
    Relabel,
}

impl LabState {
    /// Whether `action` would change nothing, so that the page can keep its state as it is
    /// without copying it: a frame while paused.
    pub fn ignores(&self, action: &LabAction) -> bool {
        matches!(action, LabAction::Tick(_)) && !self.page.playing
    }

    /// Applies `action`, then copies what the page draws out of the run (see
    /// [`super::rounds`]).
    pub fn apply(&mut self, action: LabAction) {
        if self.ignores(&action) {
            return;
        }
        let s = self;
        match action {
            LabAction::Returned => {
                if s.page.leaving.take().is_some() {
                    s.page.notice = None;
                }
            }
            LabAction::Play => s.page.playing = !s.run.borrow().violated(),
            LabAction::Pause => s.page.playing = false,
            LabAction::TogglePlay => s.page.playing = !s.page.playing && !s.run.borrow().violated(),
            LabAction::Tick(dt_us) => {
                s.page.rounds.frames += 1;
                let until = s.page.now_us.saturating_add(dt_us);
                let hit = {
                    let mut run = s.run.borrow_mut();
                    run.advance_to(until);
                    run.take_breakpoint_hit()
                };
                if let Some(hit) = hit {
                    s.page.playing = false;
                    s.page.notice = Some(hit);
                }
            }
            LabAction::StepForward => {
                s.page.playing = false;
                s.run.borrow_mut().step();
            }
            LabAction::StepBack => {
                s.page.playing = false;
                s.run.borrow_mut().step_back();
            }
            LabAction::Seek(at_us) => {
                s.page.playing = false;
                s.run.borrow_mut().seek_time(at_us);
            }
            LabAction::GuideStep(i) => {
                let start = s.page.guide.as_ref().map(|g| g.step_start(i.min(g.steps.len().saturating_sub(1))));
                if let Some(start) = start {
                    s.run.borrow_mut().seek_time(start);
                    // The guide follows the clock: show the new moment now, not at the next
                    // round of the read panels (whatever frame of the round this is).
                    s.page.rounds.all_next = true;
                }
            }
            LabAction::SetSpeed(speed) => {
                if speed.is_finite() {
                    s.page.speed = speed.clamp(SPEED_MIN, SPEED_MAX);
                }
            }
            LabAction::SpeedStep(steps) => s.page.speed = speed_step(s.page.speed, steps),
            LabAction::Select(selected) => {
                s.page.selected = selected.filter(|sel| match sel {
                    Selected::Node(id) => *id >= 1 && *id <= s.page.node_count,
                    Selected::Message(_) => true,
                });
            }
            LabAction::NodeAction(id, command) => {
                if let Some(t) = &s.page.twin {
                    t.run.borrow_mut().node_command(id, command);
                }
                s.run.borrow_mut().node_command(id, command);
            }
            LabAction::ClientRequest => {
                let to = s.request_target();
                if let Some(t) = &s.page.twin {
                    // The twin's own leader, unless the person picked a server.
                    let twin_to = if matches!(s.page.selected, Some(Selected::Node(_))) { to } else { t.run.borrow().leader().unwrap_or(to) };
                    t.run.borrow_mut().node_command(twin_to, NodeCommand::ClientRequest);
                }
                s.run.borrow_mut().node_command(to, NodeCommand::ClientRequest);
            }
            LabAction::Net(command) => {
                if let Some(t) = &s.page.twin {
                    t.run.borrow_mut().net_command(&command);
                }
                s.run.borrow_mut().net_command(&command);
            }
            LabAction::Reconfigure(patch) => {
                let again = s.run.borrow().reconfigured(&patch);
                match again {
                    Ok(run) => {
                        s.replace_run(run);
                        s.page.notice = Some(crate::tr!("Started over with the new settings (same seed, same workload but for what changed).").to_string());
                    }
                    Err(e) => s.page.error = Some(crate::tr!("Those settings do not work: {e}", e = e)),
                }
            }
            LabAction::Operator(to, request) => {
                if let Some(t) = &s.page.twin {
                    let _ = t.run.borrow_mut().operator_request(to, &request);
                }
                let done = s.run.borrow_mut().operator_request(to, &request);
                if let Err(e) = done {
                    s.page.error = Some(crate::tr!("That request could not be made: {e}", e = e));
                }
            }
            LabAction::Compare(None) => {
                s.page.twin = None;
                s.page.metrics = Shared::default();
            }
            LabAction::Compare(Some(i)) => {
                let chosen = s.run.borrow().twins().into_iter().nth(i);
                match chosen.map(|(label, sc)| (label, LabRun::from_scenario(&format!("{} (compared)", s.page.scenario), sc))) {
                    Some((label, Ok(mut run))) => {
                        run.seek_time(*s.page.now_us);
                        s.page.twin = Some(Twin::new(label, run, s.page.clocks[1].clone()));
                        // Paused, the read panels do not refresh: the figures are due now.
                        s.page.metrics = Shared::new(compare_metrics(&s.run.borrow(), s.page.twin.as_ref()));
                    }
                    Some((_, Err(e))) => s.page.error = Some(crate::tr!("Cannot compare: {e}", e = e)),
                    None => {}
                }
            }
            LabAction::DropMessage(id) => {
                s.run.borrow_mut().drop_message(id);
                if s.page.selected == Some(Selected::Message(id)) {
                    s.page.selected = None;
                }
            }
            LabAction::LoadScenario(name) if name == s.page.scenario => {
                // Reset: the scenario as loaded, from the start (no need to fetch it again).
                let again = {
                    let run = s.run.borrow();
                    LabRun::from_scenario(run.name(), run.scenario().clone())
                };
                match again {
                    Ok(run) => {
                        s.replace_run(run);
                        s.page.playing = *s.page.autoplay;
                    }
                    Err(e) => s.page.error = Some(e),
                }
            }
            LabAction::LoadScenario(name) => {
                if !s.leave_for(family::move_for_scenario(&s.page.search, &name, family::holds), false) {
                    s.load_shipped(&name);
                    if s.page.fetching.is_none() && s.page.scenario == name {
                        s.page.playing = *s.page.autoplay;
                    }
                }
            }
            LabAction::Fetched(name, text) => {
                if s.page.fetching.as_deref() == Some(name.as_str()) {
                    s.page.fetching = None;
                    let run = text.and_then(|text| {
                        crate::view::shipped::remember(&name, &text);
                        LabRun::shipped(&name)
                    });
                    match run {
                        Ok(run) => {
                            s.replace_run(run);
                            s.page.playing = *s.page.autoplay;
                        }
                        Err(e) => s.page.error = Some(crate::tr!("The scenario could not be loaded (the current run is unchanged): {e}", e = e)),
                    }
                }
            }
            LabAction::NewCluster(nodes, seed) => {
                let blank = s.run.borrow().playground(nodes, seed);
                match blank {
                    Ok(run) => s.replace_run(run),
                    Err(e) => s.page.error = Some(crate::tr!("Cannot make a cluster of {nodes}: {e}", nodes = nodes, e = e)),
                }
            }
            LabAction::Reseed(seed) => {
                let reseeded = s.run.borrow().reseeded(seed);
                match reseeded {
                    Ok(run) => s.replace_run(run),
                    Err(e) => s.page.error = Some(e),
                }
            }
            LabAction::Import(file, text) if s.leave_for(family::move_for_file(&s.page.search, &file, &text, family::holds), false) => {}
            LabAction::Import(file, text) => match crate::view::files::import(&file, &text) {
                Ok(imported) => {
                    s.replace_run(imported.run);
                    s.page.notice = Some(imported.message);
                }
                Err(e) => s.page.error = Some(crate::tr!("Could not open the file (the current run is unchanged). {e}", e = e)),
            },
            LabAction::OpenLink(fragment) if s.leave_for(family::move_for_link(&s.page.search, &fragment, family::holds), true) => {}
            LabAction::OpenLink(fragment) => match crate::view::share::decode(&fragment).map_err(|e| e.to_string()).and_then(LabRun::from_shared) {
                Ok(run) => {
                    s.replace_run(run);
                    s.page.notice = Some(crate::tr!("Opened the run from the link, at the moment it was shared.").to_string());
                }
                Err(e) => s.page.error = Some(crate::tr!("This link could not be opened: {e}. The lab runs its default scenario instead.", e = e)),
            },
            LabAction::PastedLink(fragment) if s.leave_for(family::move_for_link(&s.page.search, &fragment, family::holds), false) => {}
            LabAction::PastedLink(fragment) => match crate::view::share::decode(&fragment).map_err(|e| e.to_string()).and_then(LabRun::from_shared) {
                Ok(run) => {
                    s.replace_run(run);
                    s.page.playing = false;
                    s.page.notice = Some(crate::tr!("Opened the run from the link, at the moment it was shared.").to_string());
                }
                Err(e) => s.page.error = Some(crate::tr!("This link could not be opened: {e}. The current run is unchanged.", e = e)),
            },
            LabAction::Error(e) => s.page.error = Some(e),
            LabAction::Breakpoint(bp) => {
                s.run.borrow_mut().set_breakpoint(bp.clone());
                s.page.breakpoint = bp;
            }
            LabAction::Help(open) => s.page.help = open,
            LabAction::OnScreen(part, on) => {
                if on {
                    s.page.rounds.off_screen &= !part.bit();
                } else {
                    s.page.rounds.off_screen |= part.bit();
                }
            }
            LabAction::Relabel => {
                s.describe_run();
                s.page.rounds.forget();
                // Their labels are words too: copied again on this refresh.
                (s.page.markers, s.page.past_markers) = (Shared::new(Vec::new()), Shared::new(Vec::new()));
            }
            LabAction::Dismiss => {
                if s.page.help {
                    s.page.help = false;
                } else if s.page.selected.is_some() {
                    s.page.selected = None;
                } else {
                    s.page.error = None;
                    s.page.notice = None;
                }
            }
        }
        s.refresh();
    }
}
