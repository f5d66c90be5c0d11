//! Sign-in with portal ID and password (A3, A4), then, for an account with 2-step verification
//! on, a code from the authenticator app or a recovery code. The server decides; the page shows
//! its answer.

use super::components::account_menu::bump_auth_version;
use super::components::site::{PageTitle, WithSite};
use crate::api::account::{SignIn, SignInNext};
use crate::api::security::VerifySignInCode;
use crate::api::site::SiteInfo;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let second_step = ServerAction::<VerifySignInCode>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        let done = matches!(action.value().get(), Some(Ok(SignInNext::Done)));
        let passed = second_step.value().get().and_then(Result::ok);
        if done || passed.is_some() {
            bump_auth_version();
            // After a recovery code, the security page shows how many are left.
            let used_recovery_code = passed.is_some_and(|p| p.recovery_codes_left.is_some());
            let to = if used_recovery_code {
                "/account/security"
            } else {
                "/"
            };
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
                        <ActionForm action>
                            <div class="field">
                                <label for="portal_id">"Portal ID"</label>
                                <input
                                    id="portal_id"
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
                        </ActionForm>
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
}

#[component]
fn SecondStepForm(action: ServerAction<VerifySignInCode>) -> impl IntoView {
    view! {
        <h2>"2-step verification"</h2>
        <p>
            "Open your authenticator app and enter the 6-digit code it shows for this portal. No phone? Enter one of your recovery codes instead."
        </p>
        <ActionForm action>
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
        </ActionForm>
        <div role="alert" class="form-problem">
            {move || action.value().get().and_then(Result::err).map(|e| e.to_string())}
        </div>
    }
}
