//! The links list. Filters, search and page live in the URL query, so reload and back/forward
//! keep them; the list is whatever the URL says.

use crate::common::error_state::ErrorState;
use crate::common::format;
use crate::common::select::Select;
use crate::components::copy_button::CopyButton;
use crate::components::status_badge::StatusBadge;
use crate::session::client_of;
use crate::session::use_session;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use paylinks_api::{LinkMode, LinkSort, LinkStatus, ListQuery, PaymentLinkList, WireEnum};

pub const PAGE_SIZES: [i64; 4] = [10, 25, 50, 100];
pub const SORTS: [(LinkSort, &str); 3] =
    [(LinkSort::Created, "Newest first"), (LinkSort::Name, "Name, A to Z"), (LinkSort::Revenue, "Revenue, most first")];

/// The list state the address bar describes (anything unreadable falls back to the default).
pub fn query_from_search(search: &str) -> ListQuery {
    ListQuery::parse(search.trim_start_matches('?')).unwrap_or_default()
}

/// "Showing 26–50 of 73".
pub fn range_label(query: &ListQuery, shown: usize, total: i64) -> String {
    if shown == 0 {
        return format!("0 of {total}");
    }
    format!("Showing {}–{} of {total}", query.offset + 1, query.offset + shown as i64)
}

#[component]
pub fn LinksPage() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let navigate = use_navigate();
    let query = Memo::new(move |_| query_from_search(&location.search.get()));
    let retry = RwSignal::new(0u32);
    let links = LocalResource::new(move || {
        let (q, client) = (query.get(), client_of(session.get()));
        retry.track();
        async move { client?.list_links(&q).await }
    });
    let go = move |q: ListQuery, replace: bool| {
        let qs = q.to_query_string();
        let url = if qs.is_empty() { "/links".to_string() } else { format!("/links?{qs}") };
        navigate(&url, NavigateOptions { replace, scroll: false, ..Default::default() });
    };
    let go = StoredValue::new(go);
    // A new filter starts again at the first page.
    let set_filter = move |f: &dyn Fn(&mut ListQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        q.offset = 0;
        go.with_value(|go| go(q, false));
    };
    let set_filter = StoredValue::new(set_filter);

    // Search is debounced: the URL (and the request) follow 300 ms after the last keystroke.
    let typed = RwSignal::new(query.get_untracked().search.unwrap_or_default());
    let pending = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let on_search = move |ev| {
        typed.set(event_target_value(&ev));
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                let text = typed.get_untracked().trim().to_string();
                let mut q = query.get_untracked();
                q.search = (!text.is_empty()).then_some(text);
                q.offset = 0;
                go.with_value(|go| go(q, true));
            },
            std::time::Duration::from_millis(300),
        );
        pending.set_value(handle.ok());
    };

    view! {
        <div class="toolbar">
            <h1>"Payment links"</h1>
            <A href="/links/new" attr:class="button">"Create a payment link"</A>
        </div>
        <div class="filters" role="search">
            <div class="field">
                <label for="filter-search">"Search"</label>
                <input id="filter-search" type="search" placeholder="Name, slug or id" prop:value=typed on:input=on_search/>
            </div>
            <Select id="filter-status" label="Status" none="All statuses"
                choices=LinkStatus::all().iter().map(|s| (*s, s.as_str())).collect()
                value=move || query.get().status
                on_change=move |status| set_filter.with_value(|f| f(&|q| q.status = status))/>
            <Select id="filter-mode" label="Mode" none="All modes"
                choices=LinkMode::all().iter().map(|m| (*m, m.as_str())).collect()
                value=move || query.get().mode
                on_change=move |mode| set_filter.with_value(|f| f(&|q| q.mode = mode))/>
            <Select id="sort" label="Sort by" choices=SORTS.to_vec()
                value=move || Some(query.get().sort)
                on_change={move |sort: Option<LinkSort>| set_filter.with_value(|f| f(&|q| q.sort = sort.unwrap_or_default()))}/>
            <div class="field">
                <label for="filter-page-size">"Per page"</label>
                <select id="filter-page-size" on:change=move |ev| {
                    let size = event_target_value(&ev).parse().unwrap_or(25);
                    set_filter.with_value(|f| f(&|q| q.limit = size));
                } prop:value=move || query.get().limit.to_string()>
                    {PAGE_SIZES.into_iter().map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                </select>
            </div>
        </div>
        <Transition fallback=|| view! { <Skeleton/> }>
            {move || links.get().map(|result| match result {
                Err(err) => view! { <ErrorState message=err.message() retry=retry/> }.into_any(),
                Ok(list) if list.data.is_empty() && query.get().status.is_none() && query.get().mode.is_none() && query.get().search.is_none() => view! {
                    <div class="empty-state">
                        <h2>"No payment links yet"</h2>
                        <p>"Create your first link, share its URL, and get paid."</p>
                        <A href="/links/new" attr:class="button">"Create your first link"</A>
                    </div>
                }.into_any(),
                Ok(list) => view! { <LinksTable list=list query=query.get() go=go/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div class="skeleton" aria-busy="true" aria-label="Loading payment links">
            {(0..5).map(|_| view! { <div class="skeleton-row"></div> }).collect_view()}
        </div>
    }
}

#[component]
fn LinksTable(
    list: PaymentLinkList,
    query: ListQuery,
    go: StoredValue<impl Fn(ListQuery, bool) + Send + Sync + 'static>,
) -> impl IntoView {
    let PaymentLinkList { data, pagination } = list;
    let label = range_label(&query, data.len(), pagination.total);
    let prev = (query.offset > 0).then(|| ListQuery { offset: (query.offset - query.limit).max(0), ..query.clone() });
    let next = pagination.has_more.then(|| ListQuery { offset: query.offset + query.limit, ..query.clone() });
    let empty = data.is_empty();
    view! {
        <div class="table-wrap">
            <table class="links cards">
                <caption class="visually-hidden">"Payment links"</caption>
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Amount"</th><th scope="col">"Mode"</th>
                        <th scope="col">"Status"</th><th scope="col">"Payments"</th><th scope="col">"Revenue"</th>
                        <th scope="col">"Created"</th><th scope="col">"Share"</th></tr>
                </thead>
                <tbody>
                    {data.into_iter().map(|link| {
                        let detail = format!("/links/{}", link.id);
                        let copy_label = format!("Copy the URL of {}", link.name);
                        view! {
                            <tr>
                                <td data-label="Name" class="name"><A href=detail>{link.name.clone()}</A></td>
                                <td data-label="Amount" class="num">{format::amount(link.amount_minor, &link.currency)}</td>
                                <td data-label="Mode">{link.mode.as_str()}</td>
                                <td data-label="Status"><StatusBadge status=link.status/></td>
                                <td data-label="Payments" class="num">{link.completed_count}</td>
                                <td data-label="Revenue" class="num">{format::amount(Some(link.revenue_minor), &link.currency)}</td>
                                <td data-label="Created">{format::when(link.created_at)}</td>
                                <td data-label="Share"><CopyButton text=link.url.clone() label=copy_label/></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! {
                <div class="empty-state">
                    <p>"No payment links match these filters."</p>
                    <button type="button" class="secondary" on:click=move |_| go.with_value(|go| go(ListQuery::default(), false))>"Clear filters"</button>
                </div>
            })}
        </div>
        <nav class="pager" aria-label="Pages">
            <span>{label}</span>
            <button type="button" class="secondary" disabled=prev.is_none()
                on:click=move |_| if let Some(q) = prev.clone() { go.with_value(|go| go(q, false)) }>"Previous page"</button>
            <button type="button" class="secondary" disabled=next.is_none()
                on:click=move |_| if let Some(q) = next.clone() { go.with_value(|go| go(q, false)) }>"Next page"</button>
        </nav>
    }
}
