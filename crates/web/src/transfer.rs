//! The master data types that can be imported and exported, by the name the CLI and the import
//! page use (`customers`, `uoms`, …), with the permissions each needs. One list, so the command
//! line and the web client always offer the same types.

use kernel::Permission;
use kernel::crypto::Vault;
use kernel::import::Importer;
use party::PartyKind;
use party::import::PartyImporter;
use party::permissions as pp;
use product::import as pi;
use product::permissions as prp;

/// One importable type.
#[derive(Clone, Copy, Debug)]
pub struct TransferType {
    /// The name on the command line and in URLs.
    pub name: &'static str,
    /// Message key of its label.
    pub label: &'static str,
    /// Needed to export it (and to see the template).
    pub read: Permission,
    /// Needed to import it.
    pub write: Permission,
}

pub const TRANSFER_TYPES: &[TransferType] = &[
    TransferType {
        name: "customers",
        label: "ui.transfer.customers",
        read: pp::CUSTOMER_READ,
        write: pp::CUSTOMER_WRITE,
    },
    TransferType {
        name: "suppliers",
        label: "ui.transfer.suppliers",
        read: pp::SUPPLIER_READ,
        write: pp::SUPPLIER_WRITE,
    },
    TransferType {
        name: "products",
        label: "ui.transfer.products",
        read: prp::PRODUCT_READ,
        write: prp::PRODUCT_WRITE,
    },
    TransferType {
        name: "categories",
        label: "ui.transfer.categories",
        read: prp::SETUP_READ,
        write: prp::SETUP_WRITE,
    },
    TransferType { name: "taxes", label: "ui.transfer.taxes", read: prp::SETUP_READ, write: prp::SETUP_WRITE },
    TransferType { name: "uoms", label: "ui.transfer.uoms", read: prp::SETUP_READ, write: prp::SETUP_WRITE },
    TransferType {
        name: "exchange-rates",
        label: "ui.transfer.exchange_rates",
        read: prp::SETUP_READ,
        write: prp::SETUP_WRITE,
    },
    TransferType { name: "prices", label: "ui.transfer.prices", read: prp::PRODUCT_READ, write: prp::PRODUCT_WRITE },
    TransferType {
        name: "leads",
        label: "ui.transfer.leads",
        read: crm::permissions::READ,
        write: crm::permissions::WRITE,
    },
    TransferType {
        name: "opening-balances",
        label: "ui.transfer.opening_balances",
        read: ledger::permissions::READ,
        write: ledger::permissions::POST,
    },
    TransferType {
        name: "opening-items",
        label: "ui.transfer.opening_items",
        read: ledger::permissions::READ,
        write: ledger::permissions::POST,
    },
    TransferType {
        name: "opening-stock",
        label: "ui.transfer.opening_stock",
        read: inventory::permissions::STOCK_READ,
        write: inventory::permissions::STOCK_COUNT,
    },
];

pub fn transfer_type(name: &str) -> Option<&'static TransferType> {
    TRANSFER_TYPES.iter().find(|t| t.name == name)
}

/// The importer (and exporter) of a type; parties need the vault for their personal data.
pub fn importer_for<'a>(name: &str, vault: &'a Vault) -> Option<Box<dyn Importer + 'a>> {
    Some(match name {
        "customers" => Box::new(PartyImporter { vault, default_kind: PartyKind::Customer }),
        "suppliers" => Box::new(PartyImporter { vault, default_kind: PartyKind::Supplier }),
        "products" => Box::new(pi::ProductImporter),
        "categories" => Box::new(pi::CategoryImporter),
        "taxes" => Box::new(pi::TaxImporter),
        "uoms" => Box::new(pi::UomImporter),
        "exchange-rates" => Box::new(pi::RateImporter),
        "prices" => Box::new(pi::PriceListItemImporter),
        "leads" => Box::new(crm::import::LeadImporter { vault }),
        "opening-balances" => Box::new(ledger::opening_import::OpeningBalanceImporter),
        "opening-items" => Box::new(ledger::opening_import::OpeningItemImporter),
        "opening-stock" => Box::new(inventory::opening::OpeningStockImporter),
        _ => return None,
    })
}

/// The names, for messages listing what is known.
pub fn names() -> String {
    TRANSFER_TYPES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}
