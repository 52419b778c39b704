use leptos::prelude::*;
use paylinks_api::LinkStatus;
use paylinks_api::WireEnum;

/// The status as a coloured label (the text itself carries the meaning, not the colour).
#[component]
pub fn StatusBadge(status: LinkStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", status.as_str())>{status.as_str()}</span> }
}
