//! Forgotten portal ID (A7): call the help line for an access code, enter it with your SSN and
//! date of birth, see your portal ID, and choose a new password.

use super::components::form::{PageForm, form_action, typed_before};
use super::components::site::{PageTitle, WithSite};
use crate::api::portal_id_recovery::{ChooseNewPassword, RecoverPortalId};
use crate::api::site::SiteInfo;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ForgotPortalIdPage() -> impl IntoView {
    let recover = form_action::<RecoverPortalId>();
    let choose = form_action::<ChooseNewPassword>();
    // Memos, so a refused attempt re-renders only the message, not the form being typed in.
    let recovered = Memo::new(move |_| recover.value().get().and_then(Result::ok));
    let done = Memo::new(move |_| matches!(choose.value().get(), Some(Ok(()))));
    view! {
        <PageTitle page="Forgot portal ID" />
        <h1>"Forgot portal ID"</h1>
        <section class="card">
            {move || match (recovered.get(), done.get()) {
                (None, _) => {
                    view! {
                        <WithSite view=|info: SiteInfo| {
                            let phone = info.branding.help_line;
                            view! {
                                <p>
                                    "Call " <a href=phone.tel_uri()>{phone.display().to_owned()}</a>
                                    " (24 hours a day) for an access code, then enter it here with your Social Security number and date of birth."
                                </p>
                            }
                        } />
                        <PageForm action=recover>
                            <div class="field">
                                <label for="access_code">"Access code"</label>
                                <input id="access_code" name="access_code" autocomplete="one-time-code" required />
                            </div>
                            <div class="field">
                                <label for="ssn">"Social Security number"</label>
                                <input id="ssn" name="ssn" inputmode="numeric" autocomplete="off" required />
                            </div>
                            <div class="field">
                                <label for="date_of_birth">"Date of birth"</label>
                                <input
                                    id="date_of_birth"
                                    value={typed_before::<RecoverPortalId>("date_of_birth")}
                                    name="date_of_birth"
                                    type="date"
                                    autocomplete="bday"
                                    required
                                />
                            </div>
                            <button type="submit" class="button">"Continue"</button>
                        </PageForm>
                        <div role="alert" class="form-problem">
                            {move || recover.value().get().and_then(Result::err).map(|e| e.to_string())}
                        </div>
                    }
                        .into_any()
                }
                (Some(_), true) => {
                    view! {
                        <p role="status" class="form-success">
                            "Your password has been changed. " <A href="/sign-in">"Sign in now"</A>
                        </p>
                    }
                        .into_any()
                }
                (Some(r), false) => {
                    view! {
                        <p class="recovered-id">"Your portal ID is " <strong>{r.portal_id}</strong></p>
                        <p>"Now choose a new password."</p>
                        <PageForm action=choose>
                            <input type="hidden" name="ticket" value=r.ticket />
                            <div class="field">
                                <label for="new_password">"New password"</label>
                                <input id="new_password" name="new_password" type="password" autocomplete="new-password" required />
                            </div>
                            <button type="submit" class="button">"Change password"</button>
                        </PageForm>
                        <div role="alert" class="form-problem">
                            {move || choose.value().get().and_then(Result::err).map(|e| e.to_string())}
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
