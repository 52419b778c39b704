//! sqlx embeds the migrations at compile time: rebuild when one is added or changed. A release
//! build also embeds the built app (`dist/`, see `embedded.rs`): rebuild it when that changes.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rerun-if-changed=../../dist");
    }
}
