pub mod copy_button;
pub mod layout;
pub mod qr;
pub mod status_badge;
