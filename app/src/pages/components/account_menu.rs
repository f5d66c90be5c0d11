//! The signed-in state in the page header: who is signed in and a sign-out button, or a sign-in
//! link. Pages that change who is signed in bump [`AuthVersion`] so the header asks again.

use crate::api::account::{SignOut, who_am_i};
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
    let version = expect_context::<AuthVersion>().0;
    let me = Resource::new(move || version.get(), |_| who_am_i());
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if sign_out.version().get() > 0 {
            bump_auth_version();
        }
    });
    view! {
        <div class="account-menu">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(patient)) => {
                            view! {
                                <span class="account-menu__name">
                                    {format!("Signed in as {}", patient.given_name)}
                                </span>
                                <ActionForm action=sign_out>
                                    <button type="submit" class="button button--quiet">
                                        "Sign out"
                                    </button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                        _ => view! { <A href="/sign-in">"Sign in"</A> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}
