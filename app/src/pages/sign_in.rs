//! Sign-in with portal ID and password (A3, A4). The server decides; the page shows its answer.

use super::components::account_menu::bump_auth_version;
use super::components::site::PageTitle;
use crate::api::account::SignIn;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            bump_auth_version();
            navigate("/", Default::default());
        }
    });
    view! {
        <PageTitle page="Sign in" />
        <h1>"Sign in"</h1>
        <section class="card">
            <ActionForm action>
                <div class="field">
                    <label for="portal_id">"Portal ID"</label>
                    <input id="portal_id" name="portal_id" autocomplete="username" required />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                    />
                </div>
                <button type="submit" class="button">"Sign in"</button>
            </ActionForm>
            <div role="alert" class="form-problem">
                {move || action.value().get().and_then(Result::err).map(|e| e.to_string())}
            </div>
        </section>
        <ul class="plain-list">
            <li>
                <A href="/forgot-password">"Forgot password?"</A>
            </li>
            <li>
                <A href="/forgot-portal-id">"Forgot portal ID?"</A>
            </li>
        </ul>
        <p>
            "Have an activation code? " <A href="/activate">"Activate your account"</A>
        </p>
    }
}
