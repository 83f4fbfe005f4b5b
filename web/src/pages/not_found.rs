//! The page for a route that does not exist: says so and links home.

use crate::app::Route;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component(NotFound)]
pub fn not_found() -> Html {
    html! {
        <article class="page">
            <h1>{ "No such page" }</h1>
            <p>{ "This link points at a page the playground does not have (yet)." }</p>
            <p><Link<Route> to={Route::Home}>{ "See every system on the home page" }</Link<Route>></p>
        </article>
    }
}
