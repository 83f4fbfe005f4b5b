//! The home page: what the playground is, the notes' five-step interview framework that every page
//! follows, and a card for each system page.

use crate::app::Route;
use crate::pages::SYSTEMS;
use yew::prelude::*;
use yew_router::prelude::*;

/// The notes' framework for a system-design interview; every system page is laid out along it.
const FRAMEWORK: [(&str, &str); 5] = [
    (
        "Understand the problem",
        "Functional and non-functional requirements: what must it do, for how many, how fast, how reliably?",
    ),
    (
        "Estimate",
        "Back-of-the-envelope numbers: requests per second, storage, bandwidth. They decide what the design must survive.",
    ),
    (
        "High-level design",
        "The boxes and arrows, here running for real: servers, clients and networks simulated in your browser.",
    ),
    (
        "Deep dive",
        "Turn the knobs, compare the alternatives side by side, break things and watch what happens.",
    ),
    (
        "Summarize",
        "What the run showed and the trade-offs, with the measured figures next to the textbook's.",
    ),
];

#[function_component(Home)]
pub fn home() -> Html {
    html! {
        <article class="page home">
            <header class="page-title">
                <h1>{ "Run system designs instead of reading about them" }</h1>
                <p class="promise">
                    { "Every classic design from the interview notes, simulated for real in this tab: a Rust core \
                       compiled to WebAssembly runs the servers, clients and networks, and you turn the knobs, \
                       inject failures, step through time and share exactly what you saw with a link." }
                </p>
            </header>
            <section aria-labelledby="systems-heading">
                <h2 id="systems-heading">{ "Systems" }</h2>
                <ul class="cards">
                    { for SYSTEMS.iter().map(|s| html! {
                        <li class="card">
                            <h3><Link<Route> to={s.route}>{ s.title }</Link<Route>></h3>
                            <p>{ s.promise }</p>
                        </li>
                    }) }
                </ul>
            </section>
            <section aria-labelledby="framework-heading">
                <h2 id="framework-heading">{ "How every page is laid out" }</h2>
                <p>
                    { "The notes give a five-step framework for a system-design interview. Each page walks through \
                       the same steps, so a page you learned helps you read the next." }
                </p>
                <ol class="framework">
                    { for FRAMEWORK.iter().map(|(step, what)| html! {
                        <li><strong>{ *step }</strong>{ ". " }{ *what }</li>
                    }) }
                </ol>
            </section>
        </article>
    }
}
