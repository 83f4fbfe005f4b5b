//! A labelled text input with its tooltip and an inline error message under it. Pages parse the
//! text with core (which says what is wrong); this widget only shows the message.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    /// What the field means in the system's terms: the tooltip.
    pub help: AttrValue,
    pub value: AttrValue,
    /// The message from core's parser when the text is not valid.
    #[prop_or_default]
    pub error: Option<AttrValue>,
    /// The keyboard to offer on phones (`decimal`, `numeric`, `text`).
    #[prop_or(AttrValue::Static("text"))]
    pub inputmode: AttrValue,
    /// Shown in the empty field: what an empty field means (a default that follows another).
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    pub oninput: Callback<String>,
}

#[function_component(TextField)]
pub fn text_field(props: &TextFieldProps) -> Html {
    let oninput = {
        let callback = props.oninput.clone();
        Callback::from(move |e: InputEvent| {
            callback.emit(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let error_id = format!("{}-error", props.id);
    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={props.id.clone()} title={props.help.clone()}>{ props.label.clone() }</label>
            <input
                id={props.id.clone()}
                type="text"
                inputmode={props.inputmode.clone()}
                autocomplete="off"
                spellcheck="false"
                title={props.help.clone()}
                value={props.value.clone()}
                placeholder={props.placeholder.clone()}
                aria-invalid={props.error.is_some().then_some("true")}
                aria-describedby={props.error.is_some().then(|| error_id.clone())}
                {oninput}
            />
            if let Some(error) = &props.error {
                <p class="field-error" id={error_id} role="alert"><span aria-hidden="true">{ "✕ " }</span>{ error.clone() }</p>
            }
        </div>
    }
}
