//! The checkout page's own binary: only the checkout's code ends up in its wasm.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(paylinks_app::checkout::CheckoutApp);
}
