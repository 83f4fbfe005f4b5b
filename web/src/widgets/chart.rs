//! Charts drawn as SVG from core's data. `LogBars`: horizontal bars on a logarithmic axis, one row
//! per item with its label and value, decade grid lines, and an axis of labelled ticks. Widths are
//! percentages of the SVG's own box, so the chart reflows from a phone to a desktop without
//! stretching its text.

use yew::prelude::*;

#[derive(Clone, Debug, PartialEq)]
pub struct BarRow {
    pub label: AttrValue,
    /// A short note under the label (may be empty).
    pub note: AttrValue,
    /// The value, positive; its bar is drawn at log10(value).
    pub value: f64,
    /// The value as text, with its unit.
    pub shown: AttrValue,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub value: f64,
    pub label: AttrValue,
}

#[derive(Properties, PartialEq)]
pub struct LogBarsProps {
    /// What the chart shows, for screen readers and as the figure caption.
    pub caption: AttrValue,
    pub rows: Vec<BarRow>,
    /// Axis ticks, in increasing value; the first and last set the axis' range.
    pub ticks: Vec<Tick>,
    /// The axis' title, with its unit.
    pub axis_label: AttrValue,
}

/// Where `value` falls on the axis, in percent of its width.
fn position(value: f64, low: f64, high: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() || high <= low {
        return 0.0;
    }
    ((value.log10() - low) / (high - low) * 100.0).clamp(0.0, 100.0)
}

#[function_component(LogBars)]
pub fn log_bars(props: &LogBarsProps) -> Html {
    let (low, high) = match (props.ticks.first(), props.ticks.last()) {
        (Some(first), Some(last)) => (first.value.log10(), last.value.log10()),
        _ => (0.0, 1.0),
    };
    let grid = |height: &'static str| -> Html {
        props
            .ticks
            .iter()
            .map(|t| {
                let x = format!("{:.3}%", position(t.value, low, high));
                html! { <line class="grid" x1={x.clone()} x2={x} y1="0" y2={height} /> }
            })
            .collect()
    };
    html! {
        <figure class="log-bars">
            <figcaption>{ props.caption.clone() }</figcaption>
            <ul class="log-bars-rows">
                { for props.rows.iter().map(|row| {
                    let width = format!("{:.3}%", position(row.value, low, high).max(0.5));
                    html! {
                        <li class="log-bars-row">
                            <span class="bar-label">
                                { row.label.clone() }
                                if !row.note.is_empty() { <small>{ row.note.clone() }</small> }
                            </span>
                            <svg class="bar-track" aria-hidden="true" focusable="false">
                                { grid("100%") }
                                <rect class="bar" x="0" y="20%" height="60%" width={width} rx="2" />
                            </svg>
                            <span class="bar-value">{ row.shown.clone() }</span>
                        </li>
                    }
                }) }
            </ul>
            <div class="log-bars-axis" aria-hidden="true">
                <span></span>
                <svg class="axis">
                    { for props.ticks.iter().enumerate().map(|(i, t)| {
                        let x = format!("{:.3}%", position(t.value, low, high));
                        let anchor = if i == 0 { "start" } else if i + 1 == props.ticks.len() { "end" } else { "middle" };
                        html! { <text x={x} y="14" text-anchor={anchor}>{ t.label.clone() }</text> }
                    }) }
                </svg>
                <span></span>
            </div>
            <p class="axis-label">{ props.axis_label.clone() }</p>
        </figure>
    }
}
