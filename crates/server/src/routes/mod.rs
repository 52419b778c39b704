pub mod account;
pub mod checkout;
pub mod links;
pub mod payments;
pub mod public;
