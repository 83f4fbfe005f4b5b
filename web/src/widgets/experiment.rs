//! An experiment card (STYLE.md, "Experiments"): the claim in one line, a Run button, then the
//! measured figure large, the expected figure and its source small, and the verdict with an icon.

use playground_core::experiment::Outcome;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExperimentCardProps {
    pub claim: AttrValue,
    pub source: AttrValue,
    /// Runs the experiment in core and returns what it measured.
    pub run: Callback<(), Outcome>,
    /// A chart or table to show under the figures once the experiment has run.
    #[prop_or_default]
    pub children: Html,
    /// Choices the experiment runs with, shown before its Run button.
    #[prop_or_default]
    pub controls: Html,
}

#[function_component(ExperimentCard)]
pub fn experiment_card(props: &ExperimentCardProps) -> Html {
    let outcome = use_state(|| None::<Outcome>);
    let onclick = {
        let outcome = outcome.clone();
        let run = props.run.clone();
        Callback::from(move |_| outcome.set(Some(run.emit(()))))
    };
    html! {
        <li class="experiment">
            <p class="claim">{ props.claim.clone() }</p>
            { props.controls.clone() }
            <button type="button" {onclick} title="Run this experiment in the playground's core and measure the figure">
                { if outcome.is_some() { "Run again" } else { "Run" } }
            </button>
            if let Some(o) = &*outcome {
                { outcome_view(o, &props.source, &props.children) }
            }
        </li>
    }
}

/// The measured figure, the expected one with its source, the verdict and the detail.
fn outcome_view(o: &Outcome, source: &AttrValue, children: &Html) -> Html {
    html! {
        <div class="outcome" aria-live="polite">
            <p class="measured">{ o.measured.clone() }</p>
            <p class="expected">{ "Expected " }{ o.expected.clone() }{ " · " }<cite>{ source.clone() }</cite></p>
            if o.reproduced {
                <p class="verdict ok"><span aria-hidden="true">{ "● " }</span>{ "Reproduced" }</p>
            } else {
                <p class="verdict fail"><span aria-hidden="true">{ "✕ " }</span>{ "Not reproduced" }</p>
            }
            <p class="detail">{ o.detail.clone() }</p>
            { children.clone() }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct SlicedExperimentCardProps {
    pub claim: AttrValue,
    pub source: AttrValue,
    /// Starts the run; the page then does the work in slices between frames, so the page stays
    /// responsive, and passes `progress` while it runs and `outcome` when it is done.
    pub start: Callback<()>,
    /// The share done, from 0 to 1, while running.
    #[prop_or_default]
    pub progress: Option<f64>,
    #[prop_or_default]
    pub outcome: Option<Outcome>,
    #[prop_or_default]
    pub children: Html,
}

/// An experiment card for a long run (STYLE.md: long computations show progress and stay
/// responsive): the same card, with a progress bar while the page computes.
#[function_component(SlicedExperimentCard)]
pub fn sliced_experiment_card(props: &SlicedExperimentCardProps) -> Html {
    let onclick = {
        let start = props.start.clone();
        Callback::from(move |_| start.emit(()))
    };
    let running = props.progress.is_some();
    html! {
        <li class="experiment">
            <p class="claim">{ props.claim.clone() }</p>
            <button type="button" {onclick} disabled={running} title="Run this experiment in the playground's core and measure the figure">
                { if running { "Running…" } else if props.outcome.is_some() { "Run again" } else { "Run" } }
            </button>
            if let Some(p) = props.progress {
                <progress class="experiment-progress" max="100" value={format!("{:.0}", p * 100.0)}
                    aria-label="Share of the experiment done">{ format!("{:.0}%", p * 100.0) }</progress>
            } else if let Some(o) = &props.outcome {
                { outcome_view(o, &props.source, &props.children) }
            }
        </li>
    }
}
