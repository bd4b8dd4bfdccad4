//! Quantities on pages in the decimals of their product's unit (1,200 个, 12.500 千克) rather
//! than the four decimals they are stored with. A page collects the products it shows, loads
//! their units' decimals in one query in the same read, and formats each quantity through it.

use std::collections::HashMap;

use kernel::db::Tx;
use kernel::{Ctx, Result};

/// The unit decimals of the products on one page, by product id and by code.
#[derive(Clone, Debug, Default)]
pub struct Digits(HashMap<String, u8>);

impl Digits {
    /// The decimals of these products (ids or codes; repeats and blanks are fine).
    pub fn load<'a>(tx: &mut Tx<'_>, ctx: &Ctx, products: impl IntoIterator<Item = &'a str>) -> Result<Digits> {
        let mut keys: Vec<String> =
            products.into_iter().map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect();
        keys.sort_unstable();
        keys.dedup();
        Ok(Digits(product::digits_of_products(tx, ctx, &keys)?))
    }

    /// `quantity` (decimal text) of `product` as shown: in its unit's decimals with thousands
    /// separators; a product not loaded shows its significant digits.
    pub fn show(&self, product: &str, quantity: &str) -> String {
        kernel::money::quantity_shown(quantity, self.0.get(product.trim()).copied().unwrap_or(0))
    }
}
