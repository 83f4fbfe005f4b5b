//! Two SVG charts drawn from plain data (STYLE.md, "Charts"): `XyPlot`, measured points and theory
//! curves on linear or logarithmic axes (theory dashed next to the measured points), and `Columns`,
//! one bar per item (for example keys per server) with a dashed reference line such as the mean.
//! Colours come from classes (`srv-0`..`srv-7`, `series-a`, `series-b`); every series also has its
//! own mark or dash, and a legend that names it.

use yew::prelude::*;

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// Filled circles (measured values).
    Dots,
    /// Hollow squares (a second measured series).
    Squares,
    /// A solid line.
    Line,
    /// A dashed line (theory).
    Dashed,
    /// A dotted line (a second theory curve).
    Dotted,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub label: AttrValue,
    pub points: Vec<(f64, f64)>,
    pub mark: Mark,
    /// The colour class.
    pub class: AttrValue,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The axis title, with its unit.
    pub label: AttrValue,
    pub log: bool,
    pub min: f64,
    pub max: f64,
    /// Labelled ticks (values within `min..=max`).
    pub ticks: Vec<(f64, AttrValue)>,
}

impl Axis {
    /// Where `v` falls on this axis, from 0 (at `min`) to 1 (at `max`), clamped.
    fn frac(&self, v: f64) -> f64 {
        let (lo, hi, x) = if self.log {
            (self.min.max(1e-300).log10(), self.max.max(1e-300).log10(), v.max(1e-300).log10())
        } else {
            (self.min, self.max, v)
        };
        if hi > lo && x.is_finite() { ((x - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.0 }
    }
}

/// Ticks from 0 to `max` (at most six) at a round step from the 1-2-5 series, each labelled by
/// `label`: for a linear axis whose range starts at 0.
pub fn round_ticks(max: f64, label: impl Fn(f64) -> String) -> Vec<(f64, AttrValue)> {
    if !(max.is_finite() && max > 0.0) {
        return vec![(0.0, label(0.0).into())];
    }
    let power = 10f64.powi(max.log10().floor() as i32 - 1);
    let step = [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]
        .iter()
        .map(|m| m * power)
        .find(|s| max / s <= 5.0)
        .unwrap_or(max);
    (0..=5)
        .map(|k| k as f64 * step)
        .take_while(|v| *v <= max * 1.000_001)
        .map(|v| (v, label(v).into()))
        .collect()
}

const W: f64 = 320.0;
const H: f64 = 200.0;
const LEFT: f64 = 42.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 34.0;

#[derive(Properties, PartialEq)]
pub struct XyPlotProps {
    pub caption: AttrValue,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
}

fn legend_swatch(mark: Mark, class: &AttrValue) -> Html {
    let class = classes!("swatch", class.to_string());
    match mark {
        Mark::Dots => {
            html! { <svg class="legend-mark" viewBox="0 0 20 10" aria-hidden="true"><circle class={class} cx="10" cy="5" r="3" /></svg> }
        }
        Mark::Squares => {
            html! { <svg class="legend-mark" viewBox="0 0 20 10" aria-hidden="true"><rect class={classes!(class, "hollow")} x="7" y="2" width="6" height="6" /></svg> }
        }
        Mark::Line | Mark::Dashed | Mark::Dotted => {
            let dash = match mark {
                Mark::Dashed => "dashed",
                Mark::Dotted => "dotted",
                _ => "solid",
            };
            html! { <svg class="legend-mark" viewBox="0 0 20 10" aria-hidden="true"><line class={classes!(class, "plot-line", dash)} x1="1" y1="5" x2="19" y2="5" /></svg> }
        }
    }
}

#[function_component(XyPlot)]
pub fn xy_plot(props: &XyPlotProps) -> Html {
    let px = |x: f64| LEFT + props.x.frac(x) * (W - LEFT - RIGHT);
    let py = |y: f64| H - BOTTOM - props.y.frac(y) * (H - TOP - BOTTOM);
    let x_ticks = props.x.ticks.iter().map(|(v, label)| {
        let x = px(*v);
        html! {
            <g>
                <line class="grid" x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
                <text class="tick" x={format!("{x:.1}")} y={(H - BOTTOM + 12.0).to_string()} text-anchor="middle">{ label.clone() }</text>
            </g>
        }
    });
    let y_ticks = props.y.ticks.iter().map(|(v, label)| {
        let y = py(*v);
        html! {
            <g>
                <line class="grid" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={format!("{y:.1}")} y2={format!("{y:.1}")} />
                <text class="tick" x={(LEFT - 4.0).to_string()} y={format!("{y:.1}")} text-anchor="end" dominant-baseline="middle">{ label.clone() }</text>
            </g>
        }
    });
    let series = props.series.iter().map(|s| {
        let class = s.class.to_string();
        match s.mark {
            Mark::Dots => s
                .points
                .iter()
                .map(|&(x, y)| html! { <circle class={classes!("plot-dot", class.clone())} cx={format!("{:.2}", px(x))} cy={format!("{:.2}", py(y))} r="2.6" /> })
                .collect::<Html>(),
            Mark::Squares => s
                .points
                .iter()
                .map(|&(x, y)| html! { <rect class={classes!("plot-square", "hollow", class.clone())} x={format!("{:.2}", px(x) - 2.6)} y={format!("{:.2}", py(y) - 2.6)} width="5.2" height="5.2" /> })
                .collect::<Html>(),
            Mark::Line | Mark::Dashed | Mark::Dotted => {
                let dash = match s.mark {
                    Mark::Dashed => "dashed",
                    Mark::Dotted => "dotted",
                    _ => "solid",
                };
                let points: String =
                    s.points.iter().map(|&(x, y)| format!("{:.2},{:.2} ", px(x), py(y))).collect();
                html! { <polyline class={classes!("plot-line", dash, class)} points={points} /> }
            }
        }
    });
    html! {
        <figure class="xy-plot">
            <figcaption>{ props.caption.clone() }</figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={props.caption.clone()}>
                { for x_ticks }
                { for y_ticks }
                <line class="axis-line" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
                <line class="axis-line" x1={LEFT.to_string()} x2={(W - RIGHT).to_string()} y1={(H - BOTTOM).to_string()} y2={(H - BOTTOM).to_string()} />
                { for series }
                <text class="axis-title" x={((LEFT + W - RIGHT) / 2.0).to_string()} y={(H - 4.0).to_string()} text-anchor="middle">{ props.x.label.clone() }</text>
                <text class="axis-title" transform={format!("translate(10 {}) rotate(-90)", (TOP + H - BOTTOM) / 2.0)} text-anchor="middle">{ props.y.label.clone() }</text>
            </svg>
            <ul class="legend">
                { for props.series.iter().map(|s| html! { <li>{ legend_swatch(s.mark, &s.class) }{ s.label.clone() }</li> }) }
            </ul>
        </figure>
    }
}

/// One bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub label: AttrValue,
    pub value: f64,
    /// The value as text (the tooltip and, when there is room, printed over the bar).
    pub shown: AttrValue,
    pub class: AttrValue,
}

#[derive(Properties, PartialEq)]
pub struct ColumnsProps {
    pub caption: AttrValue,
    pub columns: Vec<Column>,
    /// A dashed horizontal line (for example the mean) and its label.
    #[prop_or_default]
    pub reference: Option<(f64, AttrValue)>,
    /// The vertical axis' title, with its unit.
    pub y_label: AttrValue,
}

#[function_component(Columns)]
pub fn columns(props: &ColumnsProps) -> Html {
    let n = props.columns.len().max(1);
    let width = W.max(n as f64 * 12.0 + LEFT + RIGHT);
    let top = props
        .columns
        .iter()
        .map(|c| c.value)
        .chain(props.reference.iter().map(|r| r.0))
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let slot = (width - LEFT - RIGHT) / n as f64;
    let bar = (slot * 0.7).min(28.0);
    let py = |v: f64| H - BOTTOM - (v / top).clamp(0.0, 1.0) * (H - TOP - BOTTOM - 10.0);
    let every = n.div_ceil(16);
    let bars = props.columns.iter().enumerate().map(|(i, c)| {
        let x = LEFT + slot * (i as f64 + 0.5);
        let y = py(c.value);
        let label = (i % every == 0).then(|| {
            html! { <text class="tick" x={format!("{x:.1}")} y={(H - BOTTOM + 12.0).to_string()} text-anchor="middle">{ c.label.clone() }</text> }
        });
        let value = (n <= 12).then(|| {
            html! { <text class="bar-figure" x={format!("{x:.1}")} y={format!("{:.1}", y - 3.0)} text-anchor="middle">{ c.shown.clone() }</text> }
        });
        html! {
            <g>
                <rect class={classes!("column", c.class.to_string())} x={format!("{:.2}", x - bar / 2.0)} y={format!("{y:.2}")}
                    width={format!("{bar:.2}")} height={format!("{:.2}", (H - BOTTOM - y).max(0.0))}>
                    <title>{ format!("{}: {}", c.label, c.shown) }</title>
                </rect>
                { for label }
                { for value }
            </g>
        }
    });
    let reference = props.reference.as_ref().map(|(v, label)| {
        let y = py(*v);
        html! {
            <g>
                <line class="plot-line dashed reference" x1={LEFT.to_string()} x2={(width - RIGHT).to_string()} y1={format!("{y:.1}")} y2={format!("{y:.1}")} />
                <text class="tick" x={(LEFT - 4.0).to_string()} y={format!("{y:.1}")} text-anchor="end" dominant-baseline="middle">{ label.clone() }</text>
            </g>
        }
    });
    html! {
        <figure class="columns-chart">
            <figcaption>{ props.caption.clone() }</figcaption>
            <div class="chart-scroll">
                <svg viewBox={format!("0 0 {width} {H}")} role="img" aria-label={props.caption.clone()}>
                    <line class="axis-line" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={(H - BOTTOM).to_string()} />
                    <line class="axis-line" x1={LEFT.to_string()} x2={(width - RIGHT).to_string()} y1={(H - BOTTOM).to_string()} y2={(H - BOTTOM).to_string()} />
                    { for bars }
                    { for reference }
                    <text class="axis-title" transform={format!("translate(10 {}) rotate(-90)", (TOP + H - BOTTOM) / 2.0)} text-anchor="middle">{ props.y_label.clone() }</text>
                </svg>
            </div>
        </figure>
    }
}
