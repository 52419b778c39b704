pub mod developers;
pub mod discounts;
pub mod link_detail;
pub mod links;
pub mod new_link;
pub mod not_found;
pub mod products;
pub mod sign_in;
