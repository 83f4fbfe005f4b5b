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
            <button type="button" {onclick} title="Run this experiment in the playground's core and measure the figure">
                { if outcome.is_some() { "Run again" } else { "Run" } }
            </button>
            if let Some(o) = &*outcome {
                <div class="outcome" aria-live="polite">
                    <p class="measured">{ o.measured.clone() }</p>
                    <p class="expected">{ "Expected " }{ o.expected.clone() }{ " · " }<cite>{ props.source.clone() }</cite></p>
                    if o.reproduced {
                        <p class="verdict ok"><span aria-hidden="true">{ "● " }</span>{ "Reproduced" }</p>
                    } else {
                        <p class="verdict fail"><span aria-hidden="true">{ "✕ " }</span>{ "Not reproduced" }</p>
                    }
                    <p class="detail">{ o.detail.clone() }</p>
                    { props.children.clone() }
                </div>
            }
        </li>
    }
}
