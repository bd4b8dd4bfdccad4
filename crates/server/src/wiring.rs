//! Every reaction of one module to another, in the order it runs, in one file.
//!
//! If a subscription is not listed here, it does not happen. Modules publish past-tense
//! events (`Tx::publish`); the handlers listed for an event run inside the publishing
//! transaction, in this order. The same goes for the outbox topics the worker delivers, the
//! migrations (in layer order), the permission tables, the message catalogues and the
//! invariants that `tiangong verify` runs.

use kernel::PermissionInfo;
use kernel::bus::Bus;
use kernel::db::ModuleMigrations;
use kernel::i18n::Catalog;
use kernel::invariant::Invariant;
use kernel::outbox::Handlers;

/// The event subscriptions, in order. (Business modules add theirs here as they land, e.g.
/// `bus.subscribe::<inventory::DeliveryDone>("sales::reactions::delivery_done", sales::reactions::delivery_done)`.)
pub fn bus() -> Bus {
    let mut bus = Bus::new();
    bus.subscribe::<kernel::identity::CompanyCreated>(
        "product::reactions::company_created",
        product::reactions::company_created,
    );
    bus.subscribe::<kernel::identity::CompanyCreated>(
        "inventory::reactions::company_created",
        inventory::reactions::company_created,
    );
    bus.subscribe::<kernel::identity::CompanyCreated>(
        "ledger::reactions::company_created",
        ledger::reactions::company_created,
    );
    bus.subscribe::<inventory::StockDocumentDone>(
        "server::postings::stock_document_done",
        crate::postings::stock_document_done,
    );
    bus.subscribe::<inventory::StockRevalued>("server::postings::stock_revalued", crate::postings::stock_revalued);
    // Order to cash: a delivery or return done counts on its order lines; a posted invoice is
    // booked; a settled invoice is paid.
    bus.subscribe::<inventory::StockDocumentDone>(
        "sales::delivery::stock_document_done",
        sales::delivery::stock_document_done,
    );
    bus.subscribe::<sales::InvoicePosted>(
        "server::postings::sales_invoice_posted",
        crate::postings::sales_invoice_posted,
    );
    bus.subscribe::<ledger::DocumentSettled>("sales::invoice::document_settled", sales::invoice::document_settled);
    // Procure to pay: a receipt or return done counts on its order lines; a posted bill is
    // booked; a settled bill is paid, unless the three-way match blocked it (the payment fails).
    bus.subscribe::<inventory::StockDocumentDone>(
        "purchasing::receipt::stock_document_done",
        purchasing::receipt::stock_document_done,
    );
    bus.subscribe::<purchasing::BillPosted>(
        "server::postings::purchase_bill_posted",
        crate::postings::purchase_bill_posted,
    );
    bus.subscribe::<ledger::DocumentSettled>("purchasing::bill::document_settled", purchasing::bill::document_settled);
    // Production: the work reported on a work order is booked to its cost; closing it settles
    // what is left in progress.
    bus.subscribe::<production::events::JobCosted>("server::postings::job_costed", crate::postings::job_costed);
    bus.subscribe::<production::events::WorkOrderSettled>(
        "server::postings::work_order_settled",
        crate::postings::work_order_settled,
    );
    // Planning: confirmed planned purchases become a requisition, which stops counting as
    // planned supply once ordered; a confirmed order of make-to-order products makes its work
    // orders.
    bus.subscribe::<production::events::PurchasesPlanned>(
        "server::planning::purchases_planned",
        crate::planning::purchases_planned,
    );
    bus.subscribe::<purchasing::RequisitionOrdered>(
        "server::planning::requisition_ordered",
        crate::planning::requisition_ordered,
    );
    bus.subscribe::<sales::OrderConfirmed>("server::planning::order_confirmed", crate::planning::order_confirmed);
    // CRM: a confirmed order wins the opportunity it was quoted from.
    bus.subscribe::<sales::OrderConfirmed>("crm::opportunity::order_confirmed", crm::opportunity::order_confirmed);
    // Initialisation: ending it places the opening stock (worth what the stock accounts open
    // with); reopening it takes the stock out again.
    bus.subscribe::<ledger::InitialisationEnded>(
        "server::opening::initialisation_ended",
        crate::opening::initialisation_ended,
    );
    // Approvals: an approved purchase or sales order is confirmed, an approved contract active.
    bus.subscribe::<office::approval::ApprovalDecided>(
        "purchasing::order::approval_decided",
        purchasing::order::approval_decided,
    );
    bus.subscribe::<office::approval::ApprovalDecided>(
        "sales::confirm::approval_decided",
        sales::confirm::approval_decided,
    );
    bus.subscribe::<office::approval::ApprovalDecided>(
        "crm::contract::approval_decided",
        crm::contract::approval_decided,
    );
    bus.subscribe::<ledger::InitialisationReopened>(
        "server::opening::initialisation_reopened",
        crate::opening::initialisation_reopened,
    );
    bus
}

/// The topics the outbox worker delivers, each with its handler.
pub fn outbox_handlers(mail: &crate::mail::MailConfig) -> Handlers {
    let mut handlers = Handlers::default();
    handlers.register(crate::webhook::TOPIC, crate::webhook::handler());
    handlers.register(crate::mail::TOPIC, crate::mail::handler(mail));
    handlers
}

/// Migrations of every module, in layer order (L0 first).
pub const MIGRATIONS: &[ModuleMigrations] = &[
    kernel::MIGRATIONS,
    party::MIGRATIONS,
    product::MIGRATIONS,
    ledger::MIGRATIONS,
    inventory::MIGRATIONS,
    sales::MIGRATIONS,
    purchasing::MIGRATIONS,
    production::MIGRATIONS,
    office::MIGRATIONS,
    crm::MIGRATIONS,
    web::MIGRATIONS,
];

/// Every permission the build knows.
pub fn permissions() -> Vec<PermissionInfo> {
    [
        kernel::identity::permissions::PERMISSIONS,
        party::permissions::PERMISSIONS,
        product::permissions::PERMISSIONS,
        inventory::permissions::PERMISSIONS,
        ledger::permissions::PERMISSIONS,
        sales::permissions::PERMISSIONS,
        purchasing::permissions::PERMISSIONS,
        production::permissions::PERMISSIONS,
        office::permissions::PERMISSIONS,
        crm::permissions::PERMISSIONS,
    ]
    .concat()
}

/// Every translatable message.
pub fn catalog() -> Catalog {
    Catalog::new(&[
        kernel::messages::MESSAGES,
        kernel::listing::MESSAGES,
        kernel::attachment::MESSAGES,
        kernel::crypto::MESSAGES,
        kernel::import::MESSAGES,
        party::MESSAGES,
        product::MESSAGES,
        inventory::MESSAGES,
        ledger::MESSAGES,
        sales::MESSAGES,
        purchasing::MESSAGES,
        production::MESSAGES,
        production::SHOP_MESSAGES,
        print::MESSAGES,
        office::MESSAGES,
        crm::MESSAGES,
        web::MESSAGES,
        web::ui::MESSAGES,
        web::ui::PARTY_MESSAGES,
        web::ui::INVENTORY_MESSAGES,
        web::ui::SALES_MESSAGES,
        web::ui::PURCHASING_MESSAGES,
        web::ui::CRM_MESSAGES,
        web::ui::PRODUCTION_MESSAGES,
        crate::demo::MESSAGES,
    ])
}

/// The searchable record kinds: each list and the global search find them through the index.
pub fn search_indexes() -> Vec<&'static kernel::search::SearchIndex> {
    vec![
        &party::PARTY_SEARCH,
        &product::PRODUCT_SEARCH,
        &sales::ORDER_SEARCH,
        &sales::INVOICE_SEARCH,
        &purchasing::PURCHASE_SEARCH,
        &purchasing::BILL_SEARCH,
        &inventory::PICKING_SEARCH,
        &office::TASK_SEARCH,
        &crm::LEAD_SEARCH,
        &crm::OPPORTUNITY_SEARCH,
    ]
}

/// Invariants checked by `tiangong verify` and after scenario tests.
pub fn invariants() -> Vec<Invariant> {
    [
        kernel::invariant::INVARIANTS,
        inventory::invariants::INVARIANTS,
        ledger::invariants::INVARIANTS,
        crate::postings::INVARIANTS,
        crm::pipeline::INVARIANTS,
        kernel::search::INVARIANTS,
    ]
    .concat()
}
