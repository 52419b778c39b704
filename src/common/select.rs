//! The one labelled dropdown of the app: the values of one enum, each shown in plain words, sent
//! and stored by its wire spelling; optionally a first choice meaning "none".

use leptos::prelude::*;
use paylinks_api::WireEnum;

/// A labelled `<select>` over `choices` (a value and its words). With `none`, the first option
/// means no value (its words are `none`'s).
#[component]
pub fn Select<T>(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    choices: Vec<(T, &'static str)>,
    #[prop(optional)] none: Option<&'static str>,
    value: impl Fn() -> Option<T> + Send + Sync + 'static,
    on_change: impl Fn(Option<T>) + 'static,
) -> impl IntoView
where
    T: WireEnum + Send + Sync + 'static,
{
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id prop:value=move || value().map_or("", WireEnum::as_str)
                on:change=move |ev| on_change(T::parse(&event_target_value(&ev)))>
                {none.map(|words| view! { <option value="">{words}</option> })}
                {choices.into_iter().map(|(choice, words)| view! { <option value=choice.as_str()>{words}</option> }).collect_view()}
            </select>
        </div>
    }
}
