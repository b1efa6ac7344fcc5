//! The reducer's rules, natively: what each action does to the run and to the page's copies,
//! time travel and branches, compare mode, breakpoints, and which copies are refreshed when.

use super::*;
use crate::view::{NetCommand, NodeCommand};

/// A frame's worth of virtual time at the default speed (1/60 s × 0.1).
const FRAME_US: Micros = 1_667;

fn election() -> LabState {
    LabState::with_run(LabRun::shipped("raft-election.json").expect("shipped"))
}

fn applied(mut s: LabState, actions: impl IntoIterator<Item = LabAction>) -> LabState {
    for a in actions {
        s.apply(a);
    }
    s
}

/// Plays `frames` animation frames.
fn play_frames(s: &mut LabState, frames: usize) {
    s.apply(LabAction::Play);
    for _ in 0..frames {
        s.apply(LabAction::Tick(FRAME_US));
    }
}

#[test]
fn a_new_session_is_paused_at_the_start_and_shows_the_whole_cluster() {
    let s = election();
    assert!(!s.page.playing);
    assert_eq!((*s.page.now_us, *s.page.events), (0, s.run.borrow().events()));
    assert_eq!(s.page.nodes.len(), 5);
    assert_eq!(s.page.node_count, 5);
    assert_eq!(s.page.protocol, "raft");
    assert_eq!(s.page.speed, DEFAULT_SPEED);
    assert!(s.page.guide.is_some(), "the shipped scenario has a guide");
    assert_eq!(s.page.invariants.len(), 5);
    assert_eq!(s.page.shown, (0, *s.page.events, 0));
}

#[test]
fn a_frame_while_paused_changes_nothing_and_play_pause_toggle_agree() {
    let mut s = election();
    assert!(s.ignores(&LabAction::Tick(FRAME_US)));
    let before = s.clone();
    s.apply(LabAction::Tick(FRAME_US));
    assert_eq!(*s.page.now_us, 0);
    assert_eq!(s, before);
    s.apply(LabAction::Play);
    assert!(s.page.playing && !s.ignores(&LabAction::Tick(FRAME_US)));
    s.apply(LabAction::TogglePlay);
    assert!(!s.page.playing);
    s.apply(LabAction::TogglePlay);
    assert!(s.page.playing);
    s.apply(LabAction::Pause);
    assert!(!s.page.playing);
}

#[test]
fn frames_advance_the_clock_and_a_frame_that_moves_only_the_time_draws_nothing_new() {
    let mut s = election();
    s.apply(LabAction::Play);
    // Raft's first election timeout is 150 ms at the soonest: before it, only time passes.
    let quiet = 50_000;
    s.apply(LabAction::Tick(quiet));
    let before = s.clone();
    s.apply(LabAction::Tick(1));
    assert_eq!(*s.page.now_us, quiet + 1);
    assert_eq!(s.page.clocks[0].now_us(), quiet + 1, "the stage's clock follows the time");
    assert_eq!(s, before, "the page draws nothing new for a frame that moves only the time");
}

#[test]
fn stepping_forward_and_back_returns_to_the_same_moment_and_pauses() {
    let mut s = election();
    s.apply(LabAction::Play);
    s.apply(LabAction::StepForward);
    assert!(!s.page.playing);
    let one = (*s.page.now_us, *s.page.events);
    s.apply(LabAction::StepForward);
    assert!(*s.page.events > one.1);
    s.apply(LabAction::StepBack);
    assert_eq!((*s.page.now_us, *s.page.events), one);
}

#[test]
fn seeking_back_keeps_the_frontier_and_an_action_in_the_past_branches_the_run() {
    let mut s = election();
    s.apply(LabAction::Seek(1_000_000));
    assert_eq!(*s.page.frontier_us, 1_000_000);
    let marks_at_end = s.page.markers.len();
    assert!(marks_at_end > 0, "an election is marked");
    s.apply(LabAction::Seek(100_000));
    assert_eq!(*s.page.now_us, 100_000);
    assert_eq!(*s.page.frontier_us, 1_000_000, "going back keeps the frontier");
    assert_eq!(s.page.markers.len(), marks_at_end, "and the future's marks");
    assert!(s.page.past_markers.len() < marks_at_end, "the diagram shows only the past");
    s.apply(LabAction::NodeAction(1, NodeCommand::Crash));
    assert_eq!(*s.page.frontier_us, 100_000, "an action in the past forgets the recorded future");
    assert!(!s.page.nodes[0].up);
}

#[test]
fn a_guide_step_moves_the_run_to_its_start_and_the_panels_show_it_at_once() {
    let mut s = election();
    let guide: Guide = Option::clone(&s.page.guide).expect("a guide");
    let last = guide.steps.len() - 1;
    play_frames(&mut s, 3);
    s.apply(LabAction::GuideStep(last));
    let start = guide.step_start(last);
    assert_eq!(*s.page.now_us, start);
    assert_eq!(s.page.shown.0, start, "the read panels show the step's moment without waiting for their round");
    s.apply(LabAction::GuideStep(usize::MAX));
    assert_eq!(*s.page.now_us, start, "a step past the end is the last");
}

#[test]
fn speed_is_kept_within_its_limits() {
    let s = applied(election(), [LabAction::SetSpeed(1e9)]);
    assert_eq!(s.page.speed, crate::view::geometry::SPEED_MAX);
    let s = applied(s, [LabAction::SetSpeed(f64::NAN)]);
    assert_eq!(s.page.speed, crate::view::geometry::SPEED_MAX, "not a number leaves it");
    let s = applied(s, [LabAction::SpeedStep(-100)]);
    assert_eq!(s.page.speed, crate::view::geometry::SPEED_MIN);
}

#[test]
fn the_inspector_opens_on_what_exists_and_escape_closes_one_thing_at_a_time() {
    let mut s = election();
    s.apply(LabAction::Select(Some(Selected::Node(9))));
    assert_eq!(s.page.selected, None, "there is no S9");
    s.apply(LabAction::Select(Some(Selected::Node(2))));
    assert!(s.page.inspection.as_ref().is_some_and(|i| i.title.contains("S2")), "{:?}", s.page.inspection);
    s.apply(LabAction::Help(true));
    s.apply(LabAction::Error("oops".into()));
    s.apply(LabAction::Dismiss);
    assert!(!s.page.help && s.page.selected.is_some());
    s.apply(LabAction::Dismiss);
    assert!(s.page.selected.is_none() && s.page.inspection.is_none() && s.page.error.is_some());
    s.apply(LabAction::Dismiss);
    assert!(s.page.error.is_none());
}

#[test]
fn a_client_request_goes_to_the_selected_server_else_the_leader() {
    let mut s = election();
    s.apply(LabAction::Seek(2_000_000));
    let leader = s.run.borrow().leader().expect("a leader by 2 s");
    let other = if leader == 1 { 2 } else { 1 };
    assert_eq!(s.request_target(), leader);
    s.apply(LabAction::Select(Some(Selected::Node(other))));
    assert_eq!(s.request_target(), other);
    s.apply(LabAction::NodeAction(other, NodeCommand::Crash));
    assert_eq!(s.request_target(), leader, "a crashed server is not asked");
    let events = *s.page.events;
    s.apply(LabAction::ClientRequest);
    assert!(*s.page.events > events);
}

#[test]
fn a_breakpoint_stops_play_at_the_send_and_says_so() {
    let mut s = election();
    // The server that wins the election asked for votes first.
    let winner = {
        let mut ahead = s.run.borrow().clone();
        ahead.seek_time(2_000_000);
        ahead.leader().expect("a leader by 2 s")
    };
    s.apply(LabAction::Breakpoint(Some((winner, "RequestVote".into()))));
    assert_eq!(s.page.breakpoint, Some((winner, "RequestVote".to_string())));
    s.apply(LabAction::Play);
    for _ in 0..10_000 {
        if !s.page.playing {
            break;
        }
        s.apply(LabAction::Tick(10 * FRAME_US));
    }
    assert!(!s.page.playing, "the breakpoint paused the run");
    assert!(s.page.notice.as_deref().is_some_and(|n| n.contains(&format!("S{winner}")) && n.contains("RequestVote")), "{:?}", s.page.notice);
}

#[test]
fn while_playing_the_read_panels_take_turns_and_wait_while_out_of_sight() {
    let mut s = election();
    s.apply(LabAction::Seek(1_000_000));
    s.apply(LabAction::OnScreen(SlowPart::Log, false));
    let log = s.page.log.clone();
    let spans = s.page.spans.clone();
    play_frames(&mut s, 3 * SLOW_EVERY_FRAMES as usize);
    assert!(*s.page.events > log.first().map_or(0, |l| l.event), "events happened");
    assert_ne!(s.page.spans, spans, "the diagram, in sight, was refreshed");
    assert_eq!(s.page.log, log, "the event log, out of sight, was not");
    s.apply(LabAction::OnScreen(SlowPart::Log, true));
    s.apply(LabAction::Tick(FRAME_US));
    assert_ne!(s.page.log, log, "it catches up when it comes back");
    // Within a round, the panels follow the run only on their frames: the shown moment lags.
    let shown = s.page.shown;
    s.apply(LabAction::Tick(FRAME_US));
    assert_eq!(s.page.shown, shown, "not every frame refreshes the read panels");
    s.apply(LabAction::Pause);
    assert_eq!(s.page.shown.0, *s.page.now_us, "paused, they show the moment at once");
}

#[test]
fn compare_mode_runs_a_twin_that_follows_the_clock_and_every_command() {
    let mut s = LabState::with_run(LabRun::shipped("multipaxos-leader-change.json").expect("shipped"));
    let raft = s.page.twin_choices.iter().position(|c| c == "Raft on the same run").expect("Raft is a choice");
    s.apply(LabAction::Seek(300_000));
    s.apply(LabAction::Compare(Some(raft)));
    let twin = s.page.twin.clone().expect("a twin");
    assert_eq!(*twin.now_us, 300_000, "it starts at the same moment");
    assert!(s.page.metrics.iter().any(|(name, ..)| *name == "messages sent"), "{:?}", s.page.metrics);
    s.apply(LabAction::NodeAction(2, NodeCommand::Crash));
    assert!(!twin.run.borrow().nodes()[1].up, "the twin's S2 crashed too");
    s.apply(LabAction::Net(NetCommand::LossPercent(10)));
    assert_eq!(twin.run.borrow().network_profile().loss_ppm, 100_000);
    s.apply(LabAction::Seek(500_000));
    assert_eq!(*s.page.twin.as_ref().expect("twin").now_us, 500_000);
    s.apply(LabAction::Compare(None));
    assert!(s.page.twin.is_none() && s.page.metrics.is_empty());
    s.apply(LabAction::Compare(Some(99)));
    assert!(s.page.twin.is_none(), "no such choice");
}

#[test]
fn what_replaces_the_run_keeps_it_when_it_fails() {
    let mut s = election();
    s.apply(LabAction::Seek(500_000));
    let run = s.run.clone();
    s.apply(LabAction::OpenLink("#run=damaged!".into()));
    assert!(s.page.error.as_deref().is_some_and(|e| e.contains("link")), "{:?}", s.page.error);
    s.apply(LabAction::Import("x.json".into(), "{not json".into()));
    assert!(s.page.error.as_deref().is_some_and(|e| e.contains("unchanged")), "{:?}", s.page.error);
    s.apply(LabAction::NewCluster(99, 1));
    assert!(s.page.error.as_deref().is_some_and(|e| e.contains("99")), "{:?}", s.page.error);
    s.apply(LabAction::Reconfigure(serde_json::json!({"election_timeout_ms": "soon"})));
    assert!(s.page.error.as_deref().is_some_and(|e| e.contains("settings")), "{:?}", s.page.error);
    assert_eq!(s.run, run, "the run is the same one");
    assert_eq!(*s.page.now_us, 500_000);
}

#[test]
fn a_new_run_keeps_the_speed_and_clocks_and_counts_a_generation() {
    let mut s = election();
    s.apply(LabAction::SetSpeed(0.5));
    let clock = s.page.clocks[0].clone();
    s.apply(LabAction::NewCluster(3, 9));
    assert_eq!((s.page.node_count, s.page.seed, s.page.generation), (3, 9, 1));
    assert_eq!(s.page.speed, 0.5);
    assert_eq!(s.page.clocks[0], clock, "the frame loop's clocks stay");
    s.apply(LabAction::Reseed(4));
    assert_eq!((s.page.seed, s.page.generation), (4, 2));
    // Loading the scenario being shown starts it over, playing if the page autoplays.
    *s.page.autoplay = true;
    let name = s.page.scenario.clone();
    s.apply(LabAction::Seek(200_000));
    s.apply(LabAction::LoadScenario(name));
    assert_eq!((*s.page.now_us, s.page.playing, s.page.generation), (0, true, 3));
}

#[test]
fn a_link_opens_at_its_moment_and_a_shipped_name_opens_that_scenario() {
    let mut a = election();
    a.apply(LabAction::Seek(700_000));
    let fragment = crate::view::share::encode(&a.run.borrow().shared());
    let b = LabState::open("", &format!("#{fragment}"), None);
    assert_eq!((*b.page.events, b.page.error.as_deref()), (*a.page.events, None));
    let c = LabState::open("", "", Some("raft-split-vote"));
    assert_eq!(c.page.scenario, "raft-split-vote.json");
    let d = LabState::open("", "", Some("no-such"));
    assert!(d.page.error.as_deref().is_some_and(|e| e.contains("no-such")), "{:?}", d.page.error);
    let e = LabState::open("?lab=zab", "", None);
    assert!(e.page.error.as_deref().is_some_and(|e| e.contains("zab")), "{:?}", e.page.error);
}

#[test]
fn a_link_pasted_into_the_open_lab_opens_paused_at_its_moment_and_a_damaged_one_keeps_the_run() {
    let mut a = election();
    a.apply(LabAction::Seek(700_000));
    let fragment = format!("#{}", crate::view::share::encode(&a.run.borrow().shared()));
    let mut s = LabState::with_run(LabRun::shipped("raft-split-vote.json").expect("shipped"));
    s.apply(LabAction::TogglePlay);
    s.apply(LabAction::PastedLink(fragment));
    assert_eq!((s.page.scenario.as_str(), *s.page.events, *s.page.now_us), (a.page.scenario.as_str(), *a.page.events, *a.page.now_us));
    assert!(!s.page.playing && s.page.error.is_none() && s.page.leaving.is_none(), "paused at the moment, as a fresh load");
    let (run, now) = (s.run.clone(), *s.page.now_us);
    s.apply(LabAction::PastedLink("#run=damaged!".into()));
    let fresh = LabState::open("", "#run=damaged!", None).page.error.expect("a fresh load reports it");
    let why = |e: &str| e.split(": ").nth(1).map(|w| w.split(". ").next().unwrap_or_default().to_string());
    let error = s.page.error.clone().expect("reported");
    assert_eq!(why(&error), why(&fresh), "the same reason as a fresh load: {error} / {fresh}");
    assert!(error.contains("unchanged"), "{error}");
    assert_eq!((s.run.clone(), *s.page.now_us), (run, now), "the run stays as it was");
}

#[test]
fn dropping_the_inspected_message_closes_the_inspector() {
    let mut s = election();
    s.apply(LabAction::Seek(400_000));
    let id = s.page.messages.first().map(|m| m.id).expect("a message in flight at 400 ms");
    s.apply(LabAction::Select(Some(Selected::Message(id))));
    assert!(s.page.inspection.is_some());
    s.apply(LabAction::DropMessage(id));
    assert!(s.page.selected.is_none() && s.page.inspection.is_none());
    assert!(s.page.messages.iter().all(|m| m.id != id));
}
