//! One routed page per file; shared pieces in `components/`.

mod account_security;
mod activate;
pub mod components;
mod forgot_password;
mod forgot_portal_id;
mod getting_an_account;
mod help;
mod home;
mod not_found;
mod request_activation_code;
mod sign_in;
mod staff_desk;
mod staff_sign_in;

pub use account_security::AccountSecurityPage;
pub use activate::ActivatePage;
pub use forgot_password::ForgotPasswordPage;
pub use forgot_portal_id::ForgotPortalIdPage;
pub use getting_an_account::GettingAnAccountPage;
pub use help::HelpPage;
pub use home::HomePage;
pub use not_found::NotFoundPage;
pub use request_activation_code::RequestActivationCodePage;
pub use sign_in::SignInPage;
pub use staff_desk::StaffDeskPage;
pub use staff_sign_in::StaffSignInPage;
