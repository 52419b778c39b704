//! A QR code of a URL, drawn as SVG in the app (no image service, nothing fetched).

use leptos::prelude::*;
use qrcode::{Color, QrCode as Code};

/// One SVG path covering the dark modules, a unit square each.
pub fn dark_modules_path(colors: &[Color], width: usize) -> String {
    let mut d = String::new();
    for (i, color) in colors.iter().enumerate() {
        if *color == Color::Dark {
            d.push_str(&format!("M{} {}h1v1h-1z", i % width, i / width));
        }
    }
    d
}

#[component]
pub fn QrCode(text: String, label: String) -> impl IntoView {
    match Code::new(text.as_bytes()) {
        Err(_) => view! { <p>"This URL is too long for a QR code."</p> }.into_any(),
        Ok(code) => {
            let width = code.width();
            let path = dark_modules_path(&code.to_colors(), width);
            // Four modules of quiet zone around the code, as scanners expect.
            let view_box = format!("-4 -4 {} {}", width + 8, width + 8);
            view! {
                <svg class="qr" role="img" aria-label=label viewBox=view_box xmlns="http://www.w3.org/2000/svg">
                    <rect x="-4" y="-4" width=width + 8 height=width + 8 fill="#ffffff"></rect>
                    <path d=path fill="#000000"></path>
                </svg>
            }
            .into_any()
        }
    }
}
