//! A load balancer's key space on its stage (the hash ring about S1, or Maglev's table under it):
//! written as SVG text by [`crate::view::key_space`] and set as one group's content when the
//! balancer's panel changes. Only the balancer's page carries it (the `balancer` feature).

use yew::prelude::*;

use crate::view::geometry::Point;
use crate::view::key_space::{KeyData, svg};
use crate::view::labels::TextBox;

#[derive(Properties, PartialEq)]
pub struct KeysProps {
    pub keys: KeyData,
    /// The balancer's centre.
    pub centre: Point,
    /// The servers' radius.
    pub r: f64,
    /// Where a strip and its words go (from the servers' words).
    pub area: Option<TextBox>,
}

/// The key space's group: its content is set, not rendered (see `view::key_space`).
#[component]
pub fn KeysLayer(props: &KeysProps) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        let markup = svg(&props.keys, props.centre, props.r, props.area);
        use_effect_with(markup, move |markup| {
            if let Some(g) = node.cast::<web_sys::Element>() {
                g.set_inner_html(markup);
            }
        });
    }
    html! { <g ref={node} class="keys-layer" /> }
}
