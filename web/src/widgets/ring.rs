//! The hash ring drawn as a circle (SVG), from plain data: partition arcs and virtual-node ticks
//! coloured per server, keys as dots (some highlighted, for example the keys that moved), clockwise
//! probes from a key to its server, and server labels. Used by the consistent-hashing page and the
//! key-value store page; it computes nothing, positions come in as fractions of the circle.
//!
//! Position 0 is at 12 o'clock and positions grow clockwise. Colours are the palette classes
//! `srv-0` .. `srv-7` of style.css, so a server keeps its colour on every widget of a page.

use std::f64::consts::TAU;
use yew::prelude::*;

/// Radius of the ring of partitions, in the SVG's units (the view box is 240 wide).
const R: f64 = 88.0;

/// A partition: the positions after `from` up to `to` (fractions of the circle) belong to the
/// server with palette slot `colour`.
#[derive(Clone, Debug, PartialEq)]
pub struct RingArc {
    pub from: f64,
    pub to: f64,
    pub colour: usize,
    /// The whole circle (one position on the ring).
    pub full: bool,
}

/// A virtual node (a server's position).
#[derive(Clone, Debug, PartialEq)]
pub struct RingNode {
    pub at: f64,
    pub colour: usize,
    /// Drawn bigger and labelled (for example a server's first virtual node, or a replica).
    pub emphasis: bool,
    /// Printed outside the ring when `emphasis` is set.
    pub label: Option<AttrValue>,
}

/// A key.
#[derive(Clone, Debug, PartialEq)]
pub struct RingKey {
    /// Passed back to `on_select` when the key is hovered or tapped.
    pub id: usize,
    pub at: f64,
    pub colour: usize,
    /// Drawn larger and outlined (for example: the key moved); the others are drawn faint when any
    /// key has emphasis.
    pub emphasis: bool,
    /// A tooltip, if wanted (each one is a DOM node: leave it out for hundreds of keys).
    pub title: Option<AttrValue>,
}

/// A clockwise probe from a key's position to the virtual node that serves it.
#[derive(Clone, Debug, PartialEq)]
pub struct RingProbe {
    pub from: f64,
    pub to: f64,
    pub colour: usize,
}

#[derive(Properties, PartialEq)]
pub struct RingViewProps {
    /// What the drawing shows, as its caption and its accessible name.
    pub caption: AttrValue,
    #[prop_or_default]
    pub arcs: Vec<RingArc>,
    #[prop_or_default]
    pub nodes: Vec<RingNode>,
    #[prop_or_default]
    pub keys: Vec<RingKey>,
    #[prop_or_default]
    pub probes: Vec<RingProbe>,
    /// The selected key's id, drawn with a ring around it.
    #[prop_or_default]
    pub selected: Option<usize>,
    /// Up to three short lines written in the middle of the ring.
    #[prop_or_default]
    pub center: Vec<AttrValue>,
    /// Called with a key's id when it is hovered or tapped.
    #[prop_or_default]
    pub on_select: Option<Callback<usize>>,
    /// A note under the drawing (what is drawn and what is left out).
    #[prop_or_default]
    pub note: Option<AttrValue>,
}

/// The point at fraction `f` of the circle, radius `r`.
fn point(f: f64, r: f64) -> (f64, f64) {
    let angle = f * TAU - TAU / 4.0;
    (r * angle.cos(), r * angle.sin())
}

/// An SVG path along the circle of radius `r`, clockwise from `from` to `to` (fractions).
fn arc_path(from: f64, to: f64, r: f64) -> String {
    let span = (to - from).rem_euclid(1.0);
    let (x1, y1) = point(from, r);
    let (x2, y2) = point(to, r);
    let large = if span > 0.5 { 1 } else { 0 };
    format!("M {x1:.3} {y1:.3} A {r} {r} 0 {large} 1 {x2:.3} {y2:.3}")
}

/// The radius of a key's dot: spread over a band so that keys at nearly the same position stay
/// distinguishable (a fixed function of the id, so the drawing is stable).
fn key_radius(id: usize) -> f64 {
    // SplitMix64's finaliser: neighbouring ids land on unrelated radii (no spiral patterns).
    let mut z = (id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    let spread = (z ^ (z >> 31)) >> 59; // 0..31
    R - 14.0 - spread as f64 * 0.9
}

#[derive(Properties, PartialEq)]
struct RingLayerProps {
    arcs: Vec<RingArc>,
    nodes: Vec<RingNode>,
    keys: Vec<RingKey>,
    on_select: Option<Callback<usize>>,
}

/// Arcs, ticks and keys: the part of the drawing that does not change when a key is hovered, in its
/// own component so that hovering re-renders only the probe.
#[function_component(RingLayer)]
fn ring_layer(props: &RingLayerProps) -> Html {
    let any_emphasis = props.keys.iter().any(|k| k.emphasis);
    let arcs = props.arcs.iter().map(|a| {
        let class = classes!("ring-arc", format!("srv-{}", a.colour % 8));
        if a.full {
            html! { <circle {class} cx="0" cy="0" r={R.to_string()} /> }
        } else {
            html! { <path {class} d={arc_path(a.from, a.to, R)} /> }
        }
    });
    let nodes = props.nodes.iter().map(|n| {
        let (inner, outer) = if n.emphasis { (R - 9.0, R + 9.0) } else { (R - 5.0, R + 5.0) };
        let (x1, y1) = point(n.at, inner);
        let (x2, y2) = point(n.at, outer);
        let class = classes!("ring-node", format!("srv-{}", n.colour % 8), n.emphasis.then_some("emph"));
        let label = match (&n.label, n.emphasis) {
            (Some(text), true) => {
                let (x, y) = point(n.at, R + 17.0);
                html! {
                    <text class={classes!("ring-label", format!("srv-{}", n.colour % 8))}
                        x={format!("{x:.2}")} y={format!("{y:.2}")} text-anchor="middle" dominant-baseline="middle">
                        { text.clone() }
                    </text>
                }
            }
            _ => html! {},
        };
        html! {
            <g>
                <line {class} x1={format!("{x1:.2}")} y1={format!("{y1:.2}")} x2={format!("{x2:.2}")} y2={format!("{y2:.2}")} />
                { label }
            </g>
        }
    });
    let keys = props.keys.iter().map(|k| {
        let (x, y) = point(k.at, key_radius(k.id));
        let r = if k.emphasis { "2.6" } else { "1.7" };
        let class = classes!(
            "ring-key",
            format!("srv-{}", k.colour % 8),
            k.emphasis.then_some("emph"),
            (any_emphasis && !k.emphasis).then_some("faint"),
        );
        let (onmouseenter, onclick) = match &props.on_select {
            Some(cb) => {
                let (a, b) = (cb.clone(), cb.clone());
                let id = k.id;
                (Some(Callback::from(move |_: MouseEvent| a.emit(id))), Some(Callback::from(move |_: MouseEvent| b.emit(id))))
            }
            None => (None, None),
        };
        match &k.title {
            Some(title) => html! {
                <circle {class} cx={format!("{x:.2}")} cy={format!("{y:.2}")} {r} {onmouseenter} {onclick}>
                    <title>{ title.clone() }</title>
                </circle>
            },
            None => html! { <circle {class} cx={format!("{x:.2}")} cy={format!("{y:.2}")} {r} {onmouseenter} {onclick} /> },
        }
    });
    html! {
        <g>
            { for arcs }
            { for nodes }
            { for keys }
        </g>
    }
}

#[function_component(RingView)]
pub fn ring_view(props: &RingViewProps) -> Html {
    let selected = props.selected.and_then(|id| props.keys.iter().find(|k| k.id == id)).map(|k| {
        let (x, y) = point(k.at, key_radius(k.id));
        html! { <circle class="ring-key-focus" cx={format!("{x:.2}")} cy={format!("{y:.2}")} r="5" /> }
    });
    let probes = props.probes.iter().map(|p| {
        let r = R - 11.0;
        let (hx, hy) = point(p.to, r);
        // An arrowhead at the server's end, pointing clockwise (along the tangent).
        let angle = p.to * TAU - TAU / 4.0;
        let (tx, ty) = (-angle.sin(), angle.cos());
        let (nx, ny) = (angle.cos(), angle.sin());
        let tip = (hx + tx * 1.5, hy + ty * 1.5);
        let left = (hx - tx * 4.0 + nx * 2.5, hy - ty * 4.0 + ny * 2.5);
        let right = (hx - tx * 4.0 - nx * 2.5, hy - ty * 4.0 - ny * 2.5);
        let head = format!(
            "{:.2},{:.2} {:.2},{:.2} {:.2},{:.2}",
            tip.0, tip.1, left.0, left.1, right.0, right.1
        );
        let colour = format!("srv-{}", p.colour % 8);
        let (sx, sy) = point(p.from, r);
        // When the probe starts at the selected key's dot, join the dot to the probe.
        let connector = props
            .selected
            .and_then(|id| props.keys.iter().find(|k| k.id == id && (k.at - p.from).abs() < 1e-12))
            .map(|k| {
                let (kx, ky) = point(k.at, key_radius(k.id));
                html! { <line class={classes!("probe-line", colour.clone())} x1={format!("{kx:.2}")} y1={format!("{ky:.2}")} x2={format!("{sx:.2}")} y2={format!("{sy:.2}")} /> }
            });
        html! {
            <g class="ring-probe">
                { for connector }
                <path class={classes!("probe-line", colour.clone())} d={arc_path(p.from, p.to, r)} />
                <circle class={classes!("probe-start", colour.clone())} cx={format!("{sx:.2}")} cy={format!("{sy:.2}")} r="2.4" />
                <polygon class={classes!("probe-head", colour)} points={head} />
            </g>
        }
    });
    let center = props.center.iter().take(3).enumerate().map(|(i, line)| {
        let y = (i as f64 - (props.center.len().min(3) as f64 - 1.0) / 2.0) * 12.0;
        html! { <text class="ring-center" x="0" y={format!("{y:.1}")} text-anchor="middle" dominant-baseline="middle">{ line.clone() }</text> }
    });
    html! {
        <figure class="ring-view">
            <svg viewBox="-120 -120 240 240" role="img" aria-label={props.caption.clone()}>
                <circle class="ring-track" cx="0" cy="0" r={R.to_string()} />
                <line class="ring-zero" x1="0" y1={(-R - 12.0).to_string()} x2="0" y2={(-R + 12.0).to_string()} />
                <RingLayer arcs={props.arcs.clone()} nodes={props.nodes.clone()} keys={props.keys.clone()} on_select={props.on_select.clone()} />
                { for probes }
                { for selected }
                { for center }
            </svg>
            <figcaption>
                { props.caption.clone() }
                if let Some(note) = &props.note { <small>{ note.clone() }</small> }
            </figcaption>
        </figure>
    }
}
