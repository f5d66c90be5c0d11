//! The frame around every page: skip link, banner with the portal's name and navigation, and a
//! footer with the 24/7 help line (A8).

use super::account_menu::AccountMenu;
use super::site::WithSite;
use crate::api::site::SiteInfo;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn SkipLink() -> impl IntoView {
    view! { <a class="skip-link" href="#main" rel="external">"Skip to main content"</a> }
}

#[component]
pub fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/">
                    <span class="brand__mark" aria-hidden="true"></span>
                    <WithSite view=|info: SiteInfo| {
                        view! {
                            <span class="brand__text">
                                <span class="brand__name">{info.branding.portal_name}</span>
                                <span class="brand__org">{info.branding.organization_name}</span>
                            </span>
                        }
                    } />
                </a>
                <nav aria-label="Main" class="main-nav">
                    <ul>
                        <li>
                            <A href="/" exact=true>"Home"</A>
                        </li>
                        <li>
                            <A href="/getting-an-account">"Getting an account"</A>
                        </li>
                        <li>
                            <A href="/help">"Help"</A>
                        </li>
                    </ul>
                </nav>
                <AccountMenu />
            </div>
        </header>
    }
}

#[component]
pub fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <WithSite view=|info: SiteInfo| {
                let phone = info.branding.help_line;
                view! {
                    <p>
                        "Technical help, 24 hours a day: "
                        <a href=phone.tel_uri()>{phone.display().to_owned()}</a>
                    </p>
                    <p class="site-footer__org">{info.branding.organization_name}</p>
                }
            } />
        </footer>
    }
}
