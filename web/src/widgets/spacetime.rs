//! The space-time diagram of a simulated run (a message sequence chart, as in RaftScope): one
//! lane per node with time running left to right, an arrow per message from its sender at the
//! time it left to its receiver at the time it arrived, a cross where a message was dropped, a
//! short arrow still travelling for a message in flight, and marks for crashes, recoveries,
//! partitions and inputs. Click (or focus and press Enter on) a message to read its contents.
//! It draws [`SpaceTime`], which core builds from the trace; it computes nothing itself.

use playground_core::format;
use playground_core::sim::network::DropReason;
use playground_core::sim::view::{Fate, MarkKind, SpaceTime};
use yew::prelude::*;

const W: f64 = 720.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 8.0;
const LANE: f64 = 22.0;
const AXIS: f64 = 24.0;

#[derive(Properties, PartialEq)]
pub struct SpaceTimeProps {
    pub view: SpaceTime,
    /// The run's clock: messages still in flight are drawn up to here.
    pub now: u64,
    /// The colour class of each lane (the same node keeps its colour on every widget).
    pub lane_classes: Vec<AttrValue>,
    #[prop_or_default]
    pub caption: AttrValue,
}

fn us(t: u64) -> String {
    format::duration_ns(t as f64 * 1e3)
}

#[function_component(SpaceTimeDiagram)]
pub fn space_time_diagram(props: &SpaceTimeProps) -> Html {
    let selected = use_state(|| None::<u64>);
    let v = &props.view;
    let span = (v.to.saturating_sub(v.from)).max(1) as f64;
    let x = |t: u64| LEFT + (t.saturating_sub(v.from) as f64 / span).min(1.0) * (W - LEFT - RIGHT);
    let lane_of = |id: u32| v.lanes.iter().position(|l| l.id.0 == id).unwrap_or(0);
    let y = |i: usize| TOP + LANE * (i as f64 + 0.5);
    let height = TOP + LANE * v.lanes.len() as f64 + AXIS;
    let lane_bottom = TOP + LANE * v.lanes.len() as f64;
    let class_of = |i: usize| {
        props.lane_classes.get(i).cloned().unwrap_or_else(|| AttrValue::from(format!("srv-{}", i % 8)))
    };

    let lanes = v.lanes.iter().enumerate().map(|(i, lane)| {
        html! {
            <g class={classes!("lane", class_of(i), (!lane.up).then_some("down"))}>
                <line x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={y(i).to_string()} y2={y(i).to_string()} />
                <text class="lane-name" x={(LEFT - 6.0).to_string()} y={(y(i) + 4.0).to_string()} text-anchor="end">{ lane.name.clone() }</text>
            </g>
        }
    });

    let ticks = (0..=4).map(|k| {
        let t = v.from + (span * f64::from(k) / 4.0) as u64;
        let tx = x(t);
        html! {
            <g class="tick">
                <line x1={tx.to_string()} x2={tx.to_string()} y1={TOP.to_string()} y2={lane_bottom.to_string()} />
                <text x={tx.to_string()} y={(lane_bottom + 16.0).to_string()} text-anchor="middle">{ us(t) }</text>
            </g>
        }
    });

    let arrows = v.arrows.iter().map(|a| {
        let (from, to) = (lane_of(a.from.0), lane_of(a.to.0));
        let (x1, y1) = (x(a.sent), y(from));
        // In flight: draw the part travelled so far.
        let (end, frac) = match a.fate {
            Fate::InFlight => {
                let total = a.arrives.saturating_sub(a.sent).max(1) as f64;
                let f = (props.now.saturating_sub(a.sent) as f64 / total).clamp(0.0, 1.0);
                (props.now.min(a.arrives), f)
            }
            _ => (a.arrives, 1.0),
        };
        let x2 = x(end);
        let y2 = y1 + (y(to) - y1) * frac;
        let kind = match a.fate {
            Fate::Delivered => "delivered",
            Fate::InFlight => "flight",
            Fate::Dropped(_) => "dropped",
        };
        let id = a.id;
        let onclick = {
            let selected = selected.clone();
            Callback::from(move |_: MouseEvent| selected.set(Some(id)))
        };
        let onkeydown = {
            let selected = selected.clone();
            Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    // The key selects the message, and does not also reach the page's shortcuts.
                    e.prevent_default();
                    e.stop_propagation();
                    selected.set(Some(id));
                }
            })
        };
        let is_selected = *selected == Some(id);
        let title = format!("{} → {}: {}", v.lanes[from].name, v.lanes[to].name, a.summary);
        let (x1s, y1s, x2s, y2s) = (x1.to_string(), y1.to_string(), x2.to_string(), y2.to_string());
        html! {
            <g class={classes!("msg", kind, is_selected.then_some("selected"))} {onclick} {onkeydown} tabindex="0" role="button"
                aria-label={title.clone()} data-msg={id.to_string()}>
                <title>{ title }</title>
                <line class="hit" x1={x1s.clone()} y1={y1s.clone()} x2={x2s.clone()} y2={y2s.clone()} />
                <line class="shaft" x1={x1s} y1={y1s} x2={x2s.clone()} y2={y2s.clone()} />
                if matches!(a.fate, Fate::Dropped(_)) {
                    <path class="cross" d={format!("M{} {}l6 6m0 -6l-6 6", x2 - 3.0, y2 - 3.0)} />
                } else {
                    <circle class="head" cx={x2s} cy={y2s} r="2.5" />
                }
            </g>
        }
    });

    let marks = v.marks.iter().map(|m| {
        let mx = x(m.time);
        let title = m.text.clone();
        match (m.node, m.kind) {
            (Some(node), kind) => {
                let my = y(lane_of(node.0));
                let (class, shape) = match kind {
                    MarkKind::Crash => ("mark crash", html! { <path d={format!("M{} {}l10 10m0 -10l-10 10", mx - 5.0, my - 5.0)} /> }),
                    MarkKind::Recover => ("mark recover", html! { <circle cx={mx.to_string()} cy={my.to_string()} r="5" /> }),
                    MarkKind::Input => ("mark input", html! { <path d={format!("M{} {}l5 5l-5 5l-5 -5z", mx, my - 5.0)} /> }),
                    _ => ("mark note", html! { <rect x={(mx - 3.0).to_string()} y={(my - 3.0).to_string()} width="6" height="6" /> }),
                };
                html! { <g class={class}><title>{ title }</title>{ shape }</g> }
            }
            (None, kind) => {
                let class = match kind {
                    MarkKind::Partition => "mark partition",
                    MarkKind::Heal => "mark heal",
                    _ => "mark fault",
                };
                html! {
                    <g class={class}>
                        <title>{ title }</title>
                        <line x1={mx.to_string()} x2={mx.to_string()} y1={TOP.to_string()} y2={lane_bottom.to_string()} />
                    </g>
                }
            }
        }
    });

    let detail = (*selected).and_then(|id| v.arrows.iter().find(|a| a.id == id)).map(|a| {
        let (from, to) = (&v.lanes[lane_of(a.from.0)].name, &v.lanes[lane_of(a.to.0)].name);
        let fate = match a.fate {
            Fate::Delivered => format!("arrived at {} after {}", us(a.arrives), us(a.arrives - a.sent)),
            Fate::InFlight => format!("in flight, due at {}", us(a.arrives)),
            Fate::Dropped(DropReason::Loss) => {
                format!("lost on the link (would have arrived at {})", us(a.arrives))
            }
            Fate::Dropped(r) => format!("dropped at {}: {r}", us(a.arrives)),
        };
        html! {
            <p class="msg-detail" aria-live="polite">
                <strong>{ format!("Message {}: {from} → {to}", a.id) }</strong>
                { format!(", sent at {}, {fate}. ", us(a.sent)) }
                <code>{ a.summary.clone() }</code>
            </p>
        }
    });

    html! {
        <figure class="spacetime">
            <div class="spacetime-scroll">
                <svg viewBox={format!("0 0 {W} {height}")} role="img" aria-label={props.caption.clone()} preserveAspectRatio="xMinYMin meet">
                    { for ticks }
                    { for lanes }
                    { for marks }
                    { for arrows }
                </svg>
            </div>
            <figcaption>
                { props.caption.clone() }
                if v.omitted > 0 {
                    { format!(" ({} older messages in this window not drawn.)", format::group_digits(v.omitted as u128)) }
                }
            </figcaption>
            { detail.unwrap_or_else(|| html! { <p class="msg-detail muted">{ "Click a message to read it." }</p> }) }
        </figure>
    }
}
