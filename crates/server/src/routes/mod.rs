pub mod links;
pub mod public;
