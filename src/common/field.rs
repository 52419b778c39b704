//! The one labelled input of the app: its label, the value, the message under it (the form's own
//! rules once the field has been left, else the server's), and `aria-invalid` to match.

use crate::common::form::FieldMessages;
use leptos::prelude::*;

/// How an input behaves on a phone: its type, what the browser may fill in, which keyboard.
#[derive(Clone, Copy)]
pub struct InputKind {
    pub input_type: &'static str,
    pub autocomplete: Option<&'static str>,
    pub inputmode: Option<&'static str>,
}

impl InputKind {
    /// An input of `input_type` that leaves filling and keyboard to the browser.
    pub const fn plain(input_type: &'static str) -> InputKind {
        InputKind { input_type, autocomplete: None, inputmode: None }
    }

    pub const fn new(input_type: &'static str, autocomplete: &'static str, inputmode: &'static str) -> InputKind {
        InputKind { input_type, autocomplete: Some(autocomplete), inputmode: Some(inputmode) }
    }
}

/// A number with decimals (an amount) or a whole number, typed as text so nothing the browser
/// does to number inputs rewrites it; the phone shows the matching keyboard.
pub const DECIMAL: InputKind = InputKind::new("text", "off", "decimal");
pub const WHOLE_NUMBER: InputKind = InputKind::new("text", "off", "numeric");

/// Set by a page that shows a second copy of a form (the checkout's preview beside the create
/// form): every id inside it gets this prefix, so ids stay unique and labels find their inputs.
#[derive(Clone, Copy)]
pub struct IdScope(pub &'static str);

/// `id` within the current [`IdScope`], if any.
pub fn scoped(id: &str) -> String {
    match use_context::<IdScope>() {
        Some(IdScope(prefix)) => format!("{prefix}{id}"),
        None => id.to_string(),
    }
}

/// A labelled input (or, with `multiline`, a text area) for `field`, the name its errors use.
#[component]
pub fn Field(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into)] field: String,
    messages: FieldMessages,
    value: impl Fn() -> String + Send + Sync + 'static,
    on_input: impl Fn(String) + 'static,
    #[prop(default = InputKind::plain("text"))] kind: InputKind,
    #[prop(optional)] multiline: bool,
    /// A line under the input saying what to type (it may change as the rest of the form does).
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
) -> impl IntoView {
    let id = scoped(&id);
    let error = messages.for_field(field.clone());
    let invalid = error.clone();
    let hint_id = format!("{id}-hint");
    let error_id = if hint.is_some() { format!("{hint_id} {id}-error") } else { format!("{id}-error") };
    let (edited, left) = (field.clone(), field);
    let on_input = move |ev| {
        on_input(event_target_value(&ev));
        messages.edited(&edited);
    };
    let on_blur = move |_| messages.leave(&left);
    let control = if multiline {
        view! {
            <textarea id=id.clone() rows="3" prop:value=value
                aria-invalid=move || invalid().is_some().to_string() aria-describedby=error_id.clone()
                on:input=on_input on:blur=on_blur></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() type=kind.input_type autocomplete=kind.autocomplete inputmode=kind.inputmode
                prop:value=value
                aria-invalid=move || invalid().is_some().to_string() aria-describedby=error_id.clone()
                on:input=on_input on:blur=on_blur/>
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {control}
            {hint.map(|hint| view! { <p id=hint_id class="hint">{hint}</p> })}
            <p id=format!("{id}-error") class="field-error" aria-live="polite">{error}</p>
        </div>
    }
}
