//! The signed-in state in the page header: who is signed in and a sign-out button, or a sign-in
//! link. Pages that change who is signed in bump [`AuthVersion`] so the header asks again.

use super::form::{PageForm, form_action};
use super::site::WithSite;
use crate::api::account::SignOut;
use crate::api::site::SiteInfo;
use leptos::prelude::*;
use leptos_router::components::A;

#[derive(Clone, Copy)]
pub struct AuthVersion(pub RwSignal<u32>);

pub fn provide_auth_version() {
    provide_context(AuthVersion(RwSignal::new(0)));
}

pub fn bump_auth_version() {
    if let Some(AuthVersion(v)) = use_context::<AuthVersion>() {
        v.update(|n| *n += 1);
    }
}

#[component]
pub fn AccountMenu() -> impl IntoView {
    let sign_out = form_action::<SignOut>();
    Effect::new(move |_| {
        if sign_out.version().get() > 0 {
            bump_auth_version();
        }
    });
    view! {
        <div class="account-menu">
            <WithSite view=move |info: SiteInfo| match info.signed_in {
                Some(patient) => {
                    view! {
                        <span class="account-menu__name">
                            {format!("Signed in as {}", patient.given_name)}
                        </span>
                        <A href="/records">"Records"</A>
                        <A href="/account/security">"Account security"</A>
                        <PageForm action=sign_out>
                            <button type="submit" class="button button--quiet">
                                "Sign out"
                            </button>
                        </PageForm>
                    }
                        .into_any()
                }
                None => view! { <A href="/sign-in">"Sign in"</A> }.into_any(),
            } />
        </div>
    }
}
