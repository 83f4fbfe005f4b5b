//! The seed control of every simulated page: the seed that makes a run reproducible, editable as a
//! number, and a "New seed" button that draws a fresh one from the browser's crypto randomness
//! (the only use of OS randomness in the playground: core itself only ever sees the seed).

use web_sys::HtmlInputElement;
use yew::prelude::*;

/// A fresh seed from the browser's `crypto.getRandomValues`. Falls back to 1 if the browser has no
/// crypto API (never the case in a supported browser), so a run still starts.
pub fn fresh_seed() -> u64 {
    let mut bytes = [0u8; 8];
    match getrandom::fill(&mut bytes) {
        Ok(()) => u64::from_le_bytes(bytes) >> 11, // 53 bits: exact in a URL and in JavaScript numbers
        Err(_) => 1,
    }
}

#[derive(Properties, PartialEq)]
pub struct SeedFieldProps {
    pub seed: u64,
    /// Called with a new seed: typed (when it parses) or drawn by the button.
    pub onchange: Callback<u64>,
}

/// "Seed: [12345] [New seed]". Text that is not a whole number from 0 to 2^53 is flagged inline and
/// not applied, so the current run is never lost.
#[function_component(SeedField)]
pub fn seed_field(props: &SeedFieldProps) -> Html {
    let text = use_state(|| props.seed.to_string());
    {
        let text = text.clone();
        use_effect_with(props.seed, move |seed| text.set(seed.to_string()));
    }
    let parsed = text.trim().parse::<u64>().ok().filter(|s| *s < 1 << 53);
    let oninput = {
        let text = text.clone();
        let onchange = props.onchange.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Some(seed) = value.trim().parse::<u64>().ok().filter(|s| *s < 1 << 53) {
                onchange.emit(seed);
            }
            text.set(value);
        })
    };
    let onclick = {
        let onchange = props.onchange.clone();
        Callback::from(move |_| onchange.emit(fresh_seed()))
    };
    html! {
        <div class={classes!("field", "seed-field", parsed.is_none().then_some("invalid"))}>
            <label for="seed" title="The seed fixes every random choice of the run: the same seed replays the same run">{ "Seed" }</label>
            <div class="seed-row">
                <input id="seed" type="text" inputmode="numeric" value={(*text).clone()} {oninput}
                    title="The seed fixes every random choice of the run: the same seed replays the same run"
                    aria-invalid={parsed.is_none().then_some("true")} />
                <button type="button" class="secondary" {onclick} title="Draw a fresh random seed and rerun">{ "New seed" }</button>
            </div>
            if parsed.is_none() {
                <p class="field-error" role="alert"><span aria-hidden="true">{ "✕ " }</span>{ "Enter a whole number from 0 to 9,007,199,254,740,991 (2^53 - 1)." }</p>
            }
        </div>
    }
}
