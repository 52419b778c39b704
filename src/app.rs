//! The dashboard's root: the routes, under the session every page shares.

use crate::components::layout::Dashboard;
use crate::pages::{
    developers::DevelopersPage, discounts::DiscountsPage, link_detail::LinkDetailPage, links::LinksPage,
    new_link::NewLinkPage, not_found::NotFound, products::ProductsPage, sign_in::SignInPage,
};
use crate::session::provide_session;
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    provide_session();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=|| view! { <Redirect path="/links"/> }/>
                <Route path=path!("/sign-in") view=SignInPage/>
                <Route path=path!("/links") view=|| view! { <Dashboard><LinksPage/></Dashboard> }/>
                <Route path=path!("/links/new") view=|| view! { <Dashboard><NewLinkPage/></Dashboard> }/>
                <Route path=path!("/products") view=|| view! { <Dashboard><ProductsPage/></Dashboard> }/>
                <Route path=path!("/promotion-codes") view=|| view! { <Dashboard><DiscountsPage/></Dashboard> }/>
                <Route path=path!("/developers") view=|| view! { <Dashboard><DevelopersPage/></Dashboard> }/>
                <Route path=path!("/links/:id") view=|| view! { <Dashboard><LinkDetailPage/></Dashboard> }/>
            </Routes>
        </Router>
    }
}
