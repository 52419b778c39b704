//! A QR code of a URL, drawn as SVG in the app (no image service, nothing fetched), with the
//! same code to download as SVG (for print) or PNG (for everything else).

use leptos::prelude::*;
use qrcode::{Color, QrCode as Code};
use wasm_bindgen::JsCast;

/// Modules of quiet zone around the code, as scanners expect.
const QUIET: usize = 4;
/// Pixels per module in the PNG: 8 makes a code of a public URL about 300 px wide.
const PNG_SCALE: usize = 8;

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

/// The whole code as a standalone SVG file.
pub fn svg_file(colors: &[Color], width: usize) -> String {
    let side = width + 2 * QUIET;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-{QUIET} -{QUIET} {side} {side}\" width=\"{}\" height=\"{}\">\
         <rect x=\"-{QUIET}\" y=\"-{QUIET}\" width=\"{side}\" height=\"{side}\" fill=\"#ffffff\"/>\
         <path d=\"{}\" fill=\"#000000\"/></svg>",
        side * PNG_SCALE,
        side * PNG_SCALE,
        dark_modules_path(colors, width)
    )
}

/// The code drawn on a canvas, as a PNG data URL (`None` where the browser has no canvas).
fn png_data_url(colors: &[Color], width: usize) -> Option<String> {
    let side = (width + 2 * QUIET) * PNG_SCALE;
    let canvas = document().create_element("canvas").ok()?.dyn_into::<web_sys::HtmlCanvasElement>().ok()?;
    canvas.set_width(side as u32);
    canvas.set_height(side as u32);
    let context = canvas.get_context("2d").ok()??.dyn_into::<web_sys::CanvasRenderingContext2d>().ok()?;
    context.set_fill_style_str("#ffffff");
    context.fill_rect(0.0, 0.0, side as f64, side as f64);
    context.set_fill_style_str("#000000");
    let unit = PNG_SCALE as f64;
    for (i, _) in colors.iter().enumerate().filter(|(_, c)| **c == Color::Dark) {
        let (x, y) = ((i % width + QUIET) as f64 * unit, (i / width + QUIET) as f64 * unit);
        context.fill_rect(x, y, unit, unit);
    }
    canvas.to_data_url().ok()
}

#[component]
pub fn QrCode(text: String, label: String, #[prop(into)] file_name: String) -> impl IntoView {
    match Code::new(text.as_bytes()) {
        Err(_) => view! { <p>"This URL is too long for a QR code."</p> }.into_any(),
        Ok(code) => {
            let (width, colors) = (code.width(), code.to_colors());
            let path = dark_modules_path(&colors, width);
            let side = width + 2 * QUIET;
            let view_box = format!("-{QUIET} -{QUIET} {side} {side}");
            let svg_href =
                format!("data:image/svg+xml;charset=utf-8,{}", js_sys::encode_uri_component(&svg_file(&colors, width)));
            let png_href = png_data_url(&colors, width);
            view! {
                <svg class="qr" role="img" aria-label=label viewBox=view_box xmlns="http://www.w3.org/2000/svg">
                    <rect x=-(QUIET as i64) y=-(QUIET as i64) width=side height=side fill="#ffffff"></rect>
                    <path d=path fill="#000000"></path>
                </svg>
                <p class="qr-downloads">
                    <a href=svg_href download=format!("{file_name}.svg")>"Download QR code (SVG)"</a>
                    {png_href.map(|href| view! { <a href=href download=format!("{file_name}.png")>"Download QR code (PNG)"</a> })}
                </p>
            }
            .into_any()
        }
    }
}
