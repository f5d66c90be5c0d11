//! Where the link of an email change lands (C5). The link only opens this page: the address
//! changes when the button is pressed, so a mail scanner that follows links changes nothing.

use super::components::form::form_action;
use super::components::record::action_problem;
use super::components::site::PageTitle;
use crate::api::form_answers::PAGE_FIELD;
use crate::api::record::ConfirmEmail;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let confirm = form_action::<ConfirmEmail>();
    let done = move || matches!(confirm.value().get(), Some(Ok(())));
    view! {
        <PageTitle page="Confirm your email address" />
        <h1>"Confirm your email address"</h1>
        <Show
            when=done
            fallback=move || {
                view! {
                    <p>"Press the button to start using this email address for the record."</p>
                    // Not a `PageForm`: the page it names is this one without the token, so the
                    // token is kept nowhere when the form is posted without JavaScript.
                    <ActionForm action=confirm>
                        <input type="hidden" name=PAGE_FIELD value="/confirm-email" />
                        <input type="hidden" name="token" value=token />
                        <button type="submit" class="button">"Confirm this email address"</button>
                    </ActionForm>
                    <div role="alert" class="form-problem">
                        {action_problem(confirm)}
                    </div>
                }
            }
        >
            <p role="status" class="form-success">
                "Thank you: email for this record now goes to this address."
            </p>
            <p>
                <A href="/records">"Go to your records"</A>
            </p>
        </Show>
    }
}
