//! The capacity-estimation page (the notes' first section): the estimator with every step shown
//! as a formula, presets from the notes' source, the latency numbers on a log scale with their
//! humanized twin, and the claims run as experiments. All state lives in the URL query.

use crate::app::Route;
use crate::url_state::{Query, use_query_state};
use crate::widgets::chart::{BarRow, LogBars, Tick};
use crate::widgets::copy_link::CopyLink;
use crate::widgets::experiment::ExperimentCard;
use crate::widgets::field::TextField;
use crate::widgets::page::{PageTitle, Section};
use playground_core::estimate::{self, EstimateForm, Field, Step};
use playground_core::format;
use yew::prelude::*;

/// The query key of the latency chart's scale; its value `human` selects the humanized scale.
const SCALE_KEY: &str = "scale";

#[function_component(EstimatePage)]
pub fn estimate_page() -> Html {
    let (query, set_query) = use_query_state(Route::Estimate);
    let form = EstimateForm::from_query(query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let humanized = query.get(SCALE_KEY).is_some_and(|v| v == "human");

    // Writes a new form (and the current scale) into the URL.
    let write = {
        let set_query = set_query.clone();
        move |form: &EstimateForm, humanized: bool| {
            let mut next: Query = form.to_query().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            if humanized {
                next.insert(SCALE_KEY.to_string(), "human".to_string());
            }
            set_query.emit(next);
        }
    };

    let parsed = form.parse();
    let error_of = |field: Field| -> Option<AttrValue> {
        match &parsed {
            Err(errors) => errors.iter().find(|(f, _)| *f == field).map(|(_, m)| AttrValue::from(m.clone())),
            Ok(_) => None,
        }
    };
    // A preset is active when the form means the same numbers, however they were typed.
    let active_preset = parsed
        .as_ref()
        .ok()
        .and_then(|a| estimate::PRESETS.iter().position(|p| p.form().parse().as_ref() == Ok(a)));

    let fields = Field::ALL.iter().map(|&field| {
        let oninput = {
            let write = write.clone();
            let form = form.clone();
            Callback::from(move |text: String| {
                let mut next = form.clone();
                next.set(field, &text);
                write(&next, humanized);
            })
        };
        let inputmode = match field {
            Field::ReadWriteRatio | Field::ObjectSize => "text",
            _ => "decimal",
        };
        html! {
            <TextField
                id={format!("field-{}", field.key())}
                label={field.label()}
                help={field.help()}
                value={form.get(field).to_string()}
                error={error_of(field)}
                inputmode={inputmode}
                {oninput}
            />
        }
    });

    let presets = estimate::PRESETS.iter().enumerate().map(|(i, preset)| {
        let onclick = {
            let write = write.clone();
            Callback::from(move |_| write(&preset.form(), humanized))
        };
        let pressed = if active_preset == Some(i) { "true" } else { "false" };
        html! {
            <button type="button" class="preset" aria-pressed={pressed} {onclick} title={preset.story}>
                { preset.name }
            </button>
        }
    });

    let results = match &parsed {
        Ok(assumptions) => {
            let e = estimate::estimate(assumptions);
            html! {
                <div class="results" aria-live="polite">
                    <StepTable caption="Traffic" steps={e.traffic} />
                    <StepTable caption="Storage" steps={e.storage} />
                    <StepTable caption="Bandwidth" steps={e.bandwidth} />
                </div>
            }
        }
        Err(errors) => html! {
            <div class="results blocked" role="status">
                <p>
                    <span aria-hidden="true">{ "✕ " }</span>
                    { format!("Fix the {} marked above to see the estimate.",
                        if errors.len() == 1 { "field".to_string() } else { format!("{} fields", errors.len()) }) }
                </p>
            </div>
        },
    };

    let story = match active_preset {
        Some(i) => estimate::PRESETS[i].story,
        None => "Your own assumptions: change any field, and the link in the address bar keeps them.",
    };

    let toggle_scale = {
        let write = write.clone();
        let form = form.clone();
        Callback::from(move |_| write(&form, !humanized))
    };

    let rule = estimate::per_second(1e6);

    html! {
        <article class="page estimate">
            <PageTitle
                title="Capacity estimation"
                promise="Turn users and habits into requests per second, storage and bandwidth, with every step of the arithmetic in view."
            />
            <Section id="problem" step="Step 1 · Understand the problem" title="The problem">
                <p>
                    { "Before drawing a single box, an interview (and a real design) needs orders of magnitude: how many \
                       requests per second at the average and at the peak, how much data piles up over the retention \
                       period, and how many bytes cross the network each second. The notes estimate traffic from daily \
                       active users (DAU), queries per second (QPS) and the read:write ratio; storage from the data \
                       retention period; bandwidth as data per second." }
                </p>
            </Section>
            <Section id="rule" step="Step 2 · Estimate" title="The rule of thumb">
                <p class="big-figure">
                    <span class="figure">{ format!("{:.2}", rule) }</span>
                    { " requests per second" }
                </p>
                <p class="formula">{ format!("1,000,000 requests/day ÷ 86,400 s/day = {rule:.3} requests/s ≈ 12") }</p>
                <p>{ "The notes' approximation: 1 million requests a day is about 12 a second. A day has 86,400 seconds, \
                      so divide a daily count by roughly 100,000 to get a rate (and remember you rounded)." }</p>
            </Section>
            <Section id="estimator" step="Step 3 · The design, running" title="The estimator" wide=true>
                <div class="presets" role="group" aria-label="Presets">
                    <span class="presets-label">{ "Presets:" }</span>
                    { for presets }
                </div>
                <p class="story">{ story }</p>
                <div class="estimator">
                    <form class="fields" aria-label="Assumptions" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                        { for fields }
                    </form>
                    { results }
                </div>
                <p class="note">{ "Decimal units throughout: 1 KB = 1,000 bytes, 1 TB = 10^12 bytes. A year counts 365 days." }</p>
                <CopyLink />
            </Section>
            <Section id="latency" step="Step 4 · Deep dive" title="Latency numbers every programmer should know" wide=true>
                <p>
                    { "Where the time goes inside one request. Each bar is drawn on a logarithmic axis: from one grid \
                       line to the next is a factor of 10. The humanized scale multiplies every latency by a billion, so an L1 cache hit becomes \
                       half a second and a transatlantic round trip becomes years." }
                </p>
                <label class="switch" title="Show every latency multiplied by 10^9: 1 ns becomes 1 s">
                    <input type="checkbox" checked={humanized} onchange={toggle_scale} />
                    { " Humanized scale (1 ns shown as 1 s)" }
                </label>
                <LatencyChart {humanized} />
                <p class="source">{ "Source: " }{ estimate::LATENCY_SOURCE }{ "." }</p>
            </Section>
            <Section id="experiments" step="Experiments" title="Claims, recomputed">
                <ul class="experiments">
                    { for estimate::CLAIMS.iter().map(|c| {
                        let run = c.run;
                        html! { <ExperimentCard claim={c.claim} source={c.source} run={Callback::from(move |_| run())} /> }
                    }) }
                </ul>
            </Section>
            <Section id="summary" step="Step 5 · Summarize" title="Summary">
                <table class="summary">
                    <thead><tr><th scope="col">{ "Quantity" }</th><th scope="col">{ "Driven by" }</th><th scope="col">{ "Watch out for" }</th></tr></thead>
                    <tbody>
                        <tr><td>{ "QPS" }</td><td>{ "DAU × requests per user ÷ 86,400" }</td><td>{ "the peak, not the average, sizes the fleet" }</td></tr>
                        <tr><td>{ "Storage" }</td><td>{ "writes × object size × retention × copies" }</td><td>{ "replication multiplies everything" }</td></tr>
                        <tr><td>{ "Bandwidth" }</td><td>{ "QPS × object size" }</td><td>{ "read-heavy systems are egress-bound" }</td></tr>
                    </tbody>
                </table>
            </Section>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct StepTableProps {
    caption: AttrValue,
    steps: Vec<Step>,
}

/// One group of the worked estimate: each quantity with its formula and value.
#[function_component(StepTable)]
fn step_table(props: &StepTableProps) -> Html {
    html! {
        <table class="steps">
            <caption>{ props.caption.clone() }</caption>
            <tbody>
                { for props.steps.iter().map(|s| html! {
                    <tr>
                        <th scope="row">{ s.label }</th>
                        <td class="formula">{ format!("{} =", s.formula) }</td>
                        <td class="value">{ s.shown.clone() }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

#[derive(Properties, PartialEq)]
struct LatencyChartProps {
    humanized: bool,
}

#[function_component(LatencyChart)]
fn latency_chart(props: &LatencyChartProps) -> Html {
    let humanized = props.humanized;
    let rows = estimate::LATENCY_NUMBERS
        .iter()
        .map(|fact| BarRow {
            label: fact.operation.into(),
            note: if humanized { fact.analogy.into() } else { fact.note.into() },
            value: fact.ns,
            shown: if humanized {
                format::human_duration_s(fact.humanized_seconds()).into()
            } else {
                format::duration_ns(fact.ns).into()
            },
        })
        .collect::<Vec<_>>();
    // The axis runs from 0.1 ns to 1 s, labelled every thousandfold.
    let ticks = [1.0, 1e3, 1e6, 1e9]
        .into_iter()
        .map(|ns| {
            let label = if humanized { format::human_duration_s(ns) } else { format::duration_ns(ns) };
            Tick { value: ns, label: label.into() }
        })
        .collect::<Vec<_>>();
    let (caption, axis) = if humanized {
        ("Latency numbers on the humanized scale (× 10^9)", "Humanized duration, logarithmic axis")
    } else {
        ("Latency numbers", "Latency, logarithmic axis")
    };
    html! { <LogBars caption={caption} {rows} low={0.1} high={1e9} {ticks} axis_label={axis} /> }
}
