//! Account security for the signed-in patient: change the password (other devices are signed
//! out), turn 2-step verification on or off, make new recovery codes, and see every device
//! signed in, with sign-out of any of them.

use super::components::form::{PageForm, form_action};
use super::components::record::action_problem as problem;
use super::components::site::{PageTitle, WithSite};
use crate::api::PortalError;
use crate::api::security::{
    AccountSecurity, BeginTwoStep, ChangePassword, ConfirmTwoStep, ForgetRememberedDevices,
    NewRecoveryCodes, SignOutDevice, SignOutOtherDevices, TurnOffTwoStep, security_overview,
};
use crate::api::site::SiteInfo;
use crate::domain::password::check_password;
use leptos::prelude::*;
use leptos_router::components::A;

#[derive(Clone)]
struct Actions {
    change_password: ServerAction<ChangePassword>,
    begin: ServerAction<BeginTwoStep>,
    confirm: ServerAction<ConfirmTwoStep>,
    new_codes: ServerAction<NewRecoveryCodes>,
    turn_off: ServerAction<TurnOffTwoStep>,
    sign_out_device: ServerAction<SignOutDevice>,
    sign_out_others: ServerAction<SignOutOtherDevices>,
    forget: ServerAction<ForgetRememberedDevices>,
}

#[component]
pub fn AccountSecurityPage() -> impl IntoView {
    let actions = Actions {
        change_password: form_action(),
        begin: form_action(),
        confirm: form_action(),
        new_codes: form_action(),
        turn_off: form_action(),
        sign_out_device: form_action(),
        sign_out_others: form_action(),
        forget: form_action(),
    };
    let a = actions.clone();
    let overview = Resource::new(
        move || {
            (
                a.change_password.version().get(),
                a.confirm.version().get(),
                a.new_codes.version().get(),
                a.turn_off.version().get(),
                a.sign_out_device.version().get(),
                a.sign_out_others.version().get(),
                a.forget.version().get(),
            )
        },
        |_| security_overview(),
    );
    view! {
        <PageTitle page="Account security" />
        <h1>"Account security"</h1>
        <Transition fallback=|| ()>
            {move || {
                let actions = actions.clone();
                Suspend::new(async move {
                    match overview.await {
                        Ok(overview) => {
                            view! { <SecuritySections overview actions /> }.into_any()
                        }
                        Err(PortalError::SignInRequired) => {
                            view! {
                                <p class="notice">
                                    "Sign in to see and change how your account is protected. "
                                    <A href="/sign-in">"Sign in"</A>
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="notice">{e.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn SecuritySections(overview: AccountSecurity, actions: Actions) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <WithSite view=move |info: SiteInfo| {
                view! { <PasswordForm action=actions.change_password min_length=info.policy.password_min_length /> }
            } />
        </section>
        <section class="card" aria-labelledby="two-step-heading">
            <h2 id="two-step-heading">"2-step verification"</h2>
            <TwoStep
                on=overview.two_step_on
                codes_left=overview.recovery_codes_left
                actions=actions.clone()
            />
        </section>
        <section class="card" aria-labelledby="devices-heading">
            <h2 id="devices-heading">"Signed-in devices"</h2>
            <Devices overview actions />
        </section>
    }
}

#[component]
fn PasswordForm(action: ServerAction<ChangePassword>, min_length: u32) -> impl IntoView {
    let new_password = RwSignal::new(String::new());
    let policy = StoredValue::new(crate::domain::policy::OrganizationPolicy {
        password_min_length: min_length,
        ..Default::default()
    });
    let new_problem = move || {
        let p = new_password.get();
        (!p.is_empty())
            .then(|| {
                check_password(&p, None, &policy.read_value())
                    .err()
                    .map(|e| e.to_string())
            })
            .flatten()
            .unwrap_or_default()
    };
    view! {
        <p>"Changing your password signs you out on every other device."</p>
        <PageForm action>
            <div class="field">
                <label for="current_password">"Current password"</label>
                <input
                    id="current_password"
                    name="current_password"
                    type="password"
                    autocomplete="current-password"
                    required
                />
            </div>
            <div class="field">
                <label for="new_password">"New password"</label>
                <input
                    id="new_password"
                    name="new_password"
                    type="password"
                    autocomplete="new-password"
                    aria-describedby="new_password-hint new_password-problem"
                    required
                    on:input=move |ev| new_password.set(event_target_value(&ev))
                />
                <p id="new_password-hint" class="hint">
                    {format!(
                        "At least {min_length} characters, with a letter and a digit. Not your portal ID.",
                    )}
                </p>
                <p id="new_password-problem" class="field-problem" aria-live="polite">
                    {new_problem}
                </p>
            </div>
            <div class="field">
                <label for="confirm_password">"New password again"</label>
                <input
                    id="confirm_password"
                    name="confirm_password"
                    type="password"
                    autocomplete="new-password"
                    required
                />
            </div>
            <button type="submit" class="button">"Change password"</button>
        </PageForm>
        <div role="alert" class="form-problem">
            {problem(action)}
        </div>
        <Show when=move || matches!(action.value().get(), Some(Ok(())))>
            <p role="status" class="form-success">
                "Your password is changed. Any other device signed in to your account was signed out."
            </p>
        </Show>
    }
}

/// Recovery codes just made, to print or write down: they are never shown again.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div role="status" class="card--highlight">
            <h3>"Your recovery codes"</h3>
            <p>
                "Each code works once, in place of a code from your app, if you lose your phone. Print them or write them down and keep them somewhere safe. They are not shown again, and any older codes no longer work."
            </p>
            <ul class="recovery-codes" aria-label="Recovery codes">
                {codes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
            </ul>
        </div>
    }
}

/// The password again, for changes to how the account is protected.
fn password_again(id: &'static str) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"Your password"</label>
            <input id=id name="password" type="password" autocomplete="current-password" required />
        </div>
    }
}

#[component]
fn TwoStep(on: bool, codes_left: u64, actions: Actions) -> impl IntoView {
    let Actions {
        begin,
        confirm,
        new_codes,
        turn_off,
        ..
    } = actions;
    if on {
        // Codes made a moment ago (when turning it on, or on request), newest first.
        let fresh = move || {
            new_codes
                .value()
                .get()
                .and_then(Result::ok)
                .or_else(|| confirm.value().get().and_then(Result::ok))
        };
        let left = match codes_left {
            0 => "You have no unused recovery codes. Make new ones below.".to_owned(),
            1 => "You have 1 unused recovery code. Make new ones below.".to_owned(),
            n => format!("You have {n} unused recovery codes."),
        };
        return view! {
            <p>
                "2-step verification is on. When you sign in on a device you have not asked us to remember, you also enter a code from your authenticator app."
            </p>
            {move || fresh().map(|codes| view! { <RecoveryCodes codes /> })}
            <p>{left}</p>
            <h3>"Make new recovery codes"</h3>
            <PageForm action=new_codes>
                {password_again("codes_password")}
                <button type="submit" class="button button--secondary">
                    "Make new recovery codes"
                </button>
            </PageForm>
            <div role="alert" class="form-problem">
                {problem(new_codes)}
            </div>
            <h3>"Turn off 2-step verification"</h3>
            <p>"Your account will then be protected by your password alone."</p>
            <PageForm action=turn_off>
                {password_again("off_password")}
                <button type="submit" class="button button--secondary">
                    "Turn off 2-step verification"
                </button>
            </PageForm>
            <div role="alert" class="form-problem">
                {problem(turn_off)}
            </div>
        }
            .into_any();
    }
    view! {
        <p>
            "Protect your account with a second step at sign-in: a 6-digit code from an authenticator app on your phone (such as Google Authenticator, Microsoft Authenticator or 1Password), so your password alone is not enough."
        </p>
        <Show when=move || turn_off.value().get().is_some_and(|r| r.is_ok())>
            <p role="status" class="form-success">"2-step verification is off."</p>
        </Show>
        {move || match begin.value().get() {
            Some(Ok(setup)) => {
                view! {
                    <ol class="steps">
                        <li>
                            <div class="field field--wide">
                                <label for="authenticator_key">
                                    "In your authenticator app, add an account with this key"
                                </label>
                                <input
                                    id="authenticator_key"
                                    class="secret-key"
                                    readonly
                                    value=setup.secret
                                />
                            </div>
                            <div
                                class="qr-code"
                                role="img"
                                aria-label="QR code of the key, to scan with your authenticator app"
                                inner_html=setup.qr_svg
                            ></div>
                            <p>
                                "On this device? " <a href=setup.uri>"Open the key in your app"</a>
                            </p>
                        </li>
                        <li>
                            "Enter the 6-digit code the app shows, and your password. Other devices will be signed out."
                        </li>
                    </ol>
                    <PageForm action=confirm>
                        <div class="field">
                            <label for="two_step_code">"Code from the app"</label>
                            <input
                                id="two_step_code"
                                name="code"
                                inputmode="numeric"
                                autocomplete="one-time-code"
                                required
                            />
                        </div>
                        {password_again("two_step_password")}
                        <button type="submit" class="button">"Turn on"</button>
                    </PageForm>
                    <div role="alert" class="form-problem">
                        {problem(confirm)}
                    </div>
                }
                    .into_any()
            }
            _ => {
                view! {
                    <PageForm action=begin>
                        <button type="submit" class="button">
                            "Turn on 2-step verification"
                        </button>
                    </PageForm>
                    <div role="alert" class="form-problem">
                        {problem(begin)}
                    </div>
                }
                    .into_any()
            }
        }}
    }
        .into_any()
}

#[component]
fn Devices(overview: AccountSecurity, actions: Actions) -> impl IntoView {
    let Actions {
        sign_out_device,
        sign_out_others,
        forget,
        ..
    } = actions;
    let others = overview.devices.iter().filter(|d| !d.this_device).count();
    let devices = overview
        .devices
        .into_iter()
        .map(|d| {
            let label = format!("Sign out {}, last active {}", d.browser, d.last_active);
            let control = if d.this_device {
                view! { <strong>"This device"</strong> }.into_any()
            } else {
                view! {
                    <PageForm action=sign_out_device>
                        <input type="hidden" name="device" value=d.id />
                        <button type="submit" class="button button--secondary" aria-label=label>
                            "Sign out"
                        </button>
                    </PageForm>
                }
                .into_any()
            };
            view! {
                <li>
                    <div>
                        <p>
                            <strong>{d.browser}</strong>
                        </p>
                        <p>{format!("Signed in {}", d.signed_in)}</p>
                        <p>{format!("Last active {}", d.last_active)}</p>
                        {d.address.map(|a| view! { <p>{format!("From address {a}")}</p> })}
                    </div>
                    {control}
                </li>
            }
        })
        .collect_view();
    let remembered = overview.remembered;
    view! {
        <ul class="device-list" aria-label="Signed-in devices">
            {devices}
        </ul>
        <div role="alert" class="form-problem">
            {problem(sign_out_device)}
        </div>
        {(others > 0)
            .then(|| {
                view! {
                    <PageForm action=sign_out_others>
                        <button type="submit" class="button button--secondary">
                            "Sign out all other devices"
                        </button>
                    </PageForm>
                }
            })}
        <Show when=move || sign_out_others.value().get().is_some_and(|r| r.is_ok())>
            <p role="status" class="form-success">"Every other device was signed out."</p>
        </Show>
        {(!remembered.is_empty())
            .then(|| {
                view! {
                    <h3>"Remembered devices"</h3>
                    <p>"Signing in on these skips the code from your authenticator app."</p>
                    <ul class="device-list" aria-label="Remembered devices">
                        {remembered
                            .into_iter()
                            .map(|d| {
                                view! {
                                    <li>
                                        <p>
                                            <strong>{d.browser}</strong>
                                            {format!(", remembered until {}", d.until)}
                                        </p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <PageForm action=forget>
                        <button type="submit" class="button button--secondary">
                            "Forget remembered devices"
                        </button>
                    </PageForm>
                }
            })}
    }
}
