//! The controls of a simulated page (STYLE.md, "Motion and control"): Play/Pause, step forward and
//! back, run to the end, reset, a speed menu and the run's clock, with the keyboard shortcuts
//! (Space, →, ←, R) listed behind a "Keys" button and handled by [`use_sim_keys`]. The page owns the
//! run and the time; this widget only reports what was pressed.

use gloo::events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SimControlsProps {
    pub playing: bool,
    /// The run is at its start (nothing to step back to).
    pub at_start: bool,
    /// The run is at its end (nothing to play or step).
    pub at_end: bool,
    /// The current speed and the choices: (value, label).
    pub speed: u64,
    pub speeds: &'static [(u64, &'static str)],
    /// What one step does, for the button and its tooltip ("Next request", ...).
    pub step_label: AttrValue,
    pub step_title: AttrValue,
    pub back_label: AttrValue,
    pub back_title: AttrValue,
    /// The run's clock as text ("1,234 ms of 30,000 ms"), shown at the end of the row.
    pub clock: Html,
    pub on_toggle: Callback<()>,
    pub on_step: Callback<()>,
    pub on_back: Callback<()>,
    pub on_end: Callback<()>,
    pub on_reset: Callback<()>,
    pub on_speed: Callback<u64>,
}

#[function_component(SimControls)]
pub fn sim_controls(props: &SimControlsProps) -> Html {
    let click = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let on_speed = {
        let cb = props.on_speed.clone();
        let default = props.speed;
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            cb.emit(value.parse().unwrap_or(default));
        })
    };
    let speed_title = "How much simulated time passes per tenth of a second while playing";
    html! {
        <div class="sim-controls" role="group" aria-label="Run controls">
            <button type="button" class="play" onclick={click(&props.on_toggle)} disabled={props.at_end && !props.playing}
                title="Play or pause the run (Space)" aria-pressed={if props.playing { "true" } else { "false" }}>
                { if props.playing { "Pause" } else { "Play" } }
            </button>
            <button type="button" class="secondary" onclick={click(&props.on_step)} disabled={props.at_end}
                title={props.step_title.clone()}>{ props.step_label.clone() }</button>
            <button type="button" class="secondary" onclick={click(&props.on_back)} disabled={props.at_start}
                title={props.back_title.clone()}>{ props.back_label.clone() }</button>
            <button type="button" class="secondary" onclick={click(&props.on_end)} disabled={props.at_end}
                title="Run to the end at once">{ "Run to end" }</button>
            <button type="button" class="secondary" onclick={click(&props.on_reset)} disabled={props.at_start && !props.playing}
                title="Back to the start (R)">{ "Reset" }</button>
            <label class="inline-field" title={speed_title}>
                { "Speed " }
                <select onchange={on_speed} title={speed_title}>
                    { for props.speeds.iter().map(|(value, label)| html! {
                        <option value={value.to_string()} selected={*value == props.speed}>{ *label }</option>
                    }) }
                </select>
            </label>
            <p class="sim-time" aria-live="off">{ props.clock.clone() }</p>
            <details class="shortcuts">
                <summary title="Keyboard shortcuts">{ "Keys" }</summary>
                <p>{ format!("Space: play or pause · →: {} · ←: {} · R: reset", props.step_label, props.back_label) }</p>
            </details>
        </div>
    }
}

/// What the keyboard shortcuts do.
#[derive(Clone, PartialEq)]
pub struct SimKeys {
    pub toggle: Callback<()>,
    pub step: Callback<()>,
    pub back: Callback<()>,
    pub reset: Callback<()>,
}

/// Space plays or pauses, → steps, ← steps back, R resets; ignored while typing in a field, with
/// a modifier key held, or when a handler on the page already took the key. A focused button
/// keeps Space (it presses the button), except the run controls' own buttons: after clicking
/// "Next event", Space still plays or pauses. The listener is replaced whenever `deps` change
/// (pass whatever the callbacks capture).
#[hook]
pub fn use_sim_keys<D: PartialEq + 'static>(keys: SimKeys, deps: D) {
    use_effect_with(deps, move |_| {
        let listeners = web_sys::window().and_then(|w| w.document()).map(|document| {
            let options = EventListenerOptions::enable_prevent_default();
            let down = EventListener::new_with_options(&document, "keydown", options, move |event| {
                let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                let focus = Focus::of(event);
                if focus == Focus::Field
                    || event.default_prevented()
                    || event.ctrl_key()
                    || event.meta_key()
                    || event.alt_key()
                {
                    return;
                }
                match event.key().as_str() {
                    " " if focus == Focus::OtherButton => return,
                    " " => keys.toggle.emit(()),
                    "ArrowRight" => keys.step.emit(()),
                    "ArrowLeft" => keys.back.emit(()),
                    "r" | "R" => keys.reset.emit(()),
                    _ => return,
                }
                event.prevent_default();
            });
            // A button presses itself when Space is released: not the run controls' own, whose
            // Space already played or paused.
            let up = EventListener::new_with_options(&document, "keyup", options, move |event| {
                let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else { return };
                if event.key() == " " && Focus::of(event) == Focus::ControlButton {
                    event.prevent_default();
                }
            });
            (down, up)
        });
        move || drop(listeners)
    });
}

/// Where a key press happened, as far as the shortcuts care.
#[derive(Clone, Copy, PartialEq)]
enum Focus {
    /// A text field, menu or slider: the key is theirs.
    Field,
    /// One of the run controls' buttons.
    ControlButton,
    /// Any other button: Space presses it.
    OtherButton,
    Elsewhere,
}

impl Focus {
    fn of(event: &web_sys::KeyboardEvent) -> Focus {
        let Some(el) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
            return Focus::Elsewhere;
        };
        match el.tag_name().as_str() {
            "INPUT" | "SELECT" | "TEXTAREA" => Focus::Field,
            "BUTTON" if el.closest(".sim-controls").ok().flatten().is_some() => Focus::ControlButton,
            "BUTTON" => Focus::OtherButton,
            _ => Focus::Elsewhere,
        }
    }
}
