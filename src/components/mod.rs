pub mod copy_button;
pub mod layout;
pub mod leave_guard;
pub mod qr;
pub mod status_badge;
