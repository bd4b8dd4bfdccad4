//! Loaders for the public sample data sets (Northwind, AdventureWorks) into a company, through
//! the same services as the forms and imports.

pub mod adventureworks;
pub mod northwind;
mod northwind_orders;
