//! Pieces shared by pages: the layout around every page and access to the site's information.

pub mod account_menu;
pub mod form;
pub mod layout;
pub mod record;
pub mod site;
