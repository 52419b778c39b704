pub mod account;
pub mod links;
pub mod public;
