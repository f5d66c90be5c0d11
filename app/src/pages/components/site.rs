//! The site's public information (branding, help line, policy numbers), loaded once per page and
//! shared through context, with a helper that renders something from it.

use crate::api::PortalError;
use crate::api::site::{SiteInfo, get_site_info};
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct SiteInfoResource(Resource<Result<SiteInfo, PortalError>>);

/// Loads the site's information (again whenever who is signed in changes).
pub fn provide_site_info() {
    let version = use_context::<super::account_menu::AuthVersion>().map(|v| v.0);
    provide_context(SiteInfoResource(Resource::new(
        move || version.map(|v| v.get()),
        |_| get_site_info(),
    )));
}

/// Renders `view` with the site's information once it has loaded; while loading, nothing; if it
/// cannot load, a plain sentence.
#[component]
pub fn WithSite<F, IV>(view: F) -> impl IntoView
where
    F: Fn(SiteInfo) -> IV + Clone + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let resource = expect_context::<SiteInfoResource>().0;
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let view = view.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(info) => view(info).into_any(),
                        Err(e) => view! { <p class="notice">{e.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// Sets the document title to "`page` · portal name".
#[component]
pub fn PageTitle(page: &'static str) -> impl IntoView {
    view! {
        <WithSite view=move |info: SiteInfo| {
            view! { <Title text=format!("{page} · {}", info.branding.portal_name) /> }
        } />
    }
}
