//! Help: the 24/7 line (A8) and answers to the questions people ask most, in plain words.

use super::components::site::{PageTitle, WithSite};
use crate::api::site::SiteInfo;
use leptos::prelude::*;

#[component]
pub fn HelpPage() -> impl IntoView {
    view! {
        <PageTitle page="Help" />
        <h1>"Help"</h1>
        <WithSite view=|info: SiteInfo| {
            let phone = info.branding.help_line;
            let days = info.policy.lab_result_release_days;
            view! {
                <section class="card card--highlight" aria-labelledby="call-heading">
                    <h2 id="call-heading">"Call us, day or night"</h2>
                    <p>
                        "Technical help is available 24 hours a day, 7 days a week, at "
                        <a href=phone.tel_uri()>{phone.display().to_owned()}</a> "."
                    </p>
                </section>
                <h2>"Common questions"</h2>
                <dl class="faq">
                    <dt>"I forgot my password."</dt>
                    <dd>
                        "On the sign-in page, choose \"Forgot password\". You will give your portal ID, your Social Security number and your date of birth, answer your password reset question, and then choose a new password."
                    </dd>
                    <dt>"I forgot my portal ID."</dt>
                    <dd>
                        "Call the help line. Staff will give you an access code. Enter it with your Social Security number and date of birth: your portal ID is shown, and you then choose a new password."
                    </dd>
                    <dt>"When will I see my test results?"</dt>
                    <dd>
                        {if days == 0 {
                            "Most lab results appear as soon as they are ready.".to_owned()
                        } else {
                            format!(
                                "Most lab results appear {days} days after they are ready. Other results appear when your provider releases them.",
                            )
                        }}
                    </dd>
                    <dt>"I don't understand my results."</dt>
                    <dd>
                        "Please contact your clinic, or ask at your next visit. The portal does not interpret results."
                    </dd>
                    <dt>"Something in my record is wrong."</dt>
                    <dd>
                        "Tell your clinic. You cannot change clinical information yourself, but your provider can correct it. You can update your own address, phone number and email."
                    </dd>
                    <dt>"I didn't get an email from the portal."</dt>
                    <dd>
                        "We email you when there is something new to see. Look in your junk mail folder too. Our emails never contain health information: sign in to read it."
                    </dd>
                </dl>
            }
        } />
    }
}
