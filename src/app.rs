//! The app's root: the session every page shares, and the routes.

use crate::components::layout::Dashboard;
use crate::pages::{
    link_detail::LinkDetailPage, links::LinksPage, new_link::NewLinkPage, not_found::NotFound, sign_in::SignInPage,
};
use crate::session::{self, Session};
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

#[derive(Clone, Copy)]
struct SignedIn(RwSignal<Option<Session>>);

/// The signed-in session (`None` when signed out).
pub fn use_session() -> RwSignal<Option<Session>> {
    expect_context::<SignedIn>().0
}

#[component]
pub fn App() -> impl IntoView {
    provide_context(SignedIn(RwSignal::new(session::load())));
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/links"/> }/>
                <Route path=path!("/sign-in") view=SignInPage/>
                <Route path=path!("/links") view=|| view! { <Dashboard><LinksPage/></Dashboard> }/>
                <Route path=path!("/links/new") view=|| view! { <Dashboard><NewLinkPage/></Dashboard> }/>
                <Route path=path!("/links/:id") view=|| view! { <Dashboard><LinkDetailPage/></Dashboard> }/>
            </Routes>
        </Router>
    }
}
