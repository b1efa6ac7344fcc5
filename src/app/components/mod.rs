//! The lab's components: each a small file, props `PartialEq` with `Rc` data and callbacks.

pub mod acceptor_view;
pub mod balancer_view;
pub mod breakpoint;
pub mod cluster;
pub mod compare;
pub mod controls;
pub mod event_log;
pub mod guide;
pub mod in_flight;
pub mod inspector;
pub mod invariants;
pub mod log_view;
pub mod network;
pub mod node_menu;
pub mod scenarios;
pub mod scrubber;
pub mod session;
pub mod shortcuts;
pub mod spacetime;
pub mod stage;
#[cfg(feature = "balancer")]
pub mod stage_keys;
pub mod stage_menu;
pub mod tx_view;

use wasm_bindgen::JsCast;

/// The number in attribute `attr` of the clicked element or its nearest ancestor that has one:
/// the id a layer's single click listener reads from the message (or arrow) clicked.
pub fn clicked_id(e: &web_sys::MouseEvent, attr: &str) -> Option<u64> {
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    el.closest(&format!("[{attr}]")).ok().flatten()?.get_attribute(attr)?.parse().ok()
}
