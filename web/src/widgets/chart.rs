//! Charts drawn as SVG from core's data. `LogBars`: horizontal bars on a logarithmic axis, one row
//! per item with its label and value, a grid line at every power of ten, and labelled ticks. Widths are
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
    /// The axis' range, both positive: `low` at the left edge, `high` at the right.
    pub low: f64,
    pub high: f64,
    /// Labelled ticks inside the range, in increasing value.
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
    let (low, high) = (props.low.log10(), props.high.log10());
    // A grid line at every power of ten inside the range.
    let decades: Vec<String> = (low.ceil() as i32..=high.floor() as i32)
        .map(|d| format!("{:.3}%", position(10f64.powi(d), low, high)))
        .collect();
    let grid = || -> Html {
        decades
            .iter()
            .map(|x| html! { <line class="grid" x1={x.clone()} x2={x.clone()} y1="0" y2="100%" /> })
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
                                { grid() }
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
                    { for props.ticks.iter().map(|t| {
                        let at = position(t.value, low, high);
                        let x = format!("{at:.3}%");
                        let anchor = if at < 5.0 { "start" } else if at > 95.0 { "end" } else { "middle" };
                        html! { <text x={x} y="14" text-anchor={anchor}>{ t.label.clone() }</text> }
                    }) }
                </svg>
                <span></span>
            </div>
            <p class="axis-label">{ props.axis_label.clone() }</p>
        </figure>
    }
}
