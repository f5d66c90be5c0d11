//! Sign-in with portal ID and password (A3, A4), then, for an account with 2-step verification
//! on, a code from the authenticator app or a recovery code. The server decides; the page shows
//! its answer.

use super::components::account_menu::bump_auth_version;
use super::components::form::{PageForm, form_action, go_on_without_script, typed_before};
use super::components::site::{PageTitle, WithSite};
use crate::api::account::{SignIn, SignInNext};
use crate::api::security::VerifySignInCode;
use crate::api::site::SiteInfo;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SignInPage() -> AnyView {
    let action = form_action::<SignIn>();
    let second_step = form_action::<VerifySignInCode>();
    // Where a sign-in that went through goes next: after a recovery code, the security page,
    // which shows how many are left.
    let next_page = move || {
        let done = matches!(action.value().get(), Some(Ok(SignInNext::Done)));
        match second_step.value().get().and_then(Result::ok) {
            Some(passed) if passed.recovery_codes_left.is_some() => Some("/account/security"),
            Some(_) => Some("/"),
            None => done.then_some("/"),
        }
    };
    if let Some(sent_on) = untrack(next_page).and_then(go_on_without_script) {
        return sent_on;
    }
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(to) = next_page() {
            bump_auth_version();
            navigate(to, Default::default());
        }
    });
    let needs_second_step =
        move || matches!(action.value().get(), Some(Ok(SignInNext::SecondStep)));
    view! {
        <PageTitle page="Sign in" />
        <h1>"Sign in"</h1>
        <section class="card">
            <Show
                when=needs_second_step
                fallback=move || {
                    view! {
                        <PageForm action>
                            <div class="field">
                                <label for="portal_id">"Portal ID"</label>
                                <input
                                    id="portal_id"
                                    value={typed_before::<SignIn>("portal_id")}
                                    name="portal_id"
                                    autocomplete="username"
                                    required
                                />
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
                        </PageForm>
                        <div role="alert" class="form-problem">
                            {move || action.value().get().and_then(Result::err).map(|e| e.to_string())}
                        </div>
                    }
                }
            >
                <SecondStepForm action=second_step />
            </Show>
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
    .into_any()
}

#[component]
fn SecondStepForm(action: ServerAction<VerifySignInCode>) -> impl IntoView {
    view! {
        <h2>"2-step verification"</h2>
        <p>
            "Open your authenticator app and enter the 6-digit code it shows for this portal. No phone? Enter one of your recovery codes instead."
        </p>
        <PageForm action>
            <div class="field">
                <label for="code">"Code"</label>
                <input
                    id="code"
                    name="code"
                    autocomplete="one-time-code"
                    aria-describedby="code-hint"
                    required
                />
                <p id="code-hint" class="hint">
                    "6 digits from the app, or a recovery code like ABCD-EFGH-JKMN."
                </p>
            </div>
            <div class="field field--check">
                <input id="remember_device" name="remember_device" type="checkbox" value="on" />
                <label for="remember_device">
                    <WithSite view=|info: SiteInfo| {
                        format!(
                            "Remember this device for {} days (not on a shared computer)",
                            info.policy.remember_device_days,
                        )
                    } />
                </label>
            </div>
            <button type="submit" class="button">"Verify"</button>
        </PageForm>
        <div role="alert" class="form-problem">
            {move || action.value().get().and_then(Result::err).map(|e| e.to_string())}
        </div>
    }
}
