//! Business documents as PDF (quotation, sales order, delivery note, invoice, purchase order,
//! accounting voucher): each document's data laid out as a `print::PrintDocument` under the
//! company's header, with the amount in Chinese capitals on invoices and vouchers. Read in the caller's transaction, so what is
//! printed is what the caller may see.

use inventory::{Picking, PickingId};
use kernel::db::Tx;
use kernel::{Ctx, Currency, Money, Result};
use print::{Align, Column, PrintDocument};
use purchasing::{PurchaseOrder, PurchaseOrderId};
use sales::{Invoice, InvoiceId, OrderId, OrderState, SalesOrder};

fn company_header(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<String> {
    tx.scalar("select name from kernel_company where id = $1", &[&ctx.company()])
}

/// Minor units of an amount printed as a decimal string ("1130.00"), for the words.
fn minor_of(amount: &str, currency: &str) -> i64 {
    let currency = Currency::from_code(currency).unwrap_or(Currency::CNY);
    Money::parse(amount, currency).map(|m| m.minor()).unwrap_or(0)
}

fn goods_columns() -> Vec<Column> {
    vec![
        Column::new("序号", 0.6, Align::Center),
        Column::new("编码", 1.4, Align::Left),
        Column::new("名称", 3.0, Align::Left),
        Column::new("数量", 1.2, Align::Right),
        Column::new("单价", 1.3, Align::Right),
        Column::new("税率", 0.8, Align::Right),
        Column::new("金额", 1.4, Align::Right),
        Column::new("税额", 1.2, Align::Right),
    ]
}

/// One line of goods as quotations, orders and invoices print it (the columns of `goods_columns`).
#[allow(clippy::too_many_arguments)]
fn goods_row(
    seq: i64,
    code: &str,
    description: &str,
    quantity: &str,
    price: &str,
    rate: &str,
    untaxed: &str,
    tax: &str,
) -> Vec<String> {
    vec![
        seq.to_string(),
        code.to_string(),
        description.to_string(),
        trim_zeros(quantity),
        trim_zeros(price),
        format!("{rate}%"),
        untaxed.to_string(),
        tax.to_string(),
    ]
}

fn trim_zeros(decimal: &str) -> String {
    if decimal.contains('.') { decimal.trim_end_matches('0').trim_end_matches('.').to_string() } else { decimal.into() }
}

/// A quotation (draft or sent) or a sales order.
pub fn sales_order_pdf(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId) -> Result<(String, Vec<u8>)> {
    let order: SalesOrder = sales::get_order(tx, ctx, id)?;
    let quotation = matches!(order.state, OrderState::Draft | OrderState::Sent);
    let mut meta = vec![("客户".to_string(), order.customer_name.clone()), ("日期".into(), order.order_date.clone())];
    if quotation {
        meta.push(("有效期至".into(), order.valid_until.clone().unwrap_or_else(|| "—".into())));
    }
    meta.push(("币种".into(), order.currency.clone()));
    meta.push(("价格".into(), if order.price_includes_tax { "含税".into() } else { "不含税".into() }));
    let document = PrintDocument {
        title: if quotation { "报价单".into() } else { "销售订单".into() },
        company: company_header(tx, ctx)?,
        number: order.number.clone(),
        meta,
        columns: goods_columns(),
        rows: order
            .lines
            .iter()
            .map(|l| {
                goods_row(
                    l.seq,
                    &l.product_code,
                    &l.description,
                    &l.quantity,
                    &l.unit_price,
                    &l.tax_rate,
                    &l.untaxed,
                    &l.tax,
                )
            })
            .collect(),
        totals: vec![
            ("不含税金额".into(), order.untaxed.clone()),
            ("税额".into(), order.tax.clone()),
            ("价税合计".into(), order.total.clone()),
        ],
        amount_in_words: Some(print::amount_in_chinese(minor_of(&order.total, &order.currency))),
        notes: if order.note.is_empty() { vec![] } else { vec![order.note.clone()] },
        signatures: vec!["销售代表".into(), "客户确认".into()],
        ..PrintDocument::default()
    };
    Ok((format!("{}.pdf", order.number), print::render(&document)?))
}

/// An invoice or credit note with the buyer as the 数电票 shows it.
pub fn invoice_pdf(tx: &mut Tx<'_>, ctx: &Ctx, id: InvoiceId) -> Result<(String, Vec<u8>)> {
    let invoice: Invoice = sales::get_invoice(tx, ctx, id)?;
    let credit = invoice.kind == "credit_note";
    let number = invoice.number.clone().unwrap_or_else(|| "草稿".into());
    let mut meta = vec![
        ("购买方".to_string(), invoice.buyer_name.clone()),
        ("纳税人识别号".into(), invoice.buyer_tax_id.clone()),
        ("开票日期".into(), invoice.invoice_date.clone()),
        ("到期日".into(), invoice.due_date.clone()),
    ];
    if let Some(order) = &invoice.order_number {
        meta.push(("销售订单".into(), order.clone()));
    }
    if let Some(e) = &invoice.einvoice_number {
        meta.push(("数电票号码".into(), e.clone()));
    }
    let document = PrintDocument {
        title: if credit { "红字发票（销货退回）".into() } else { "销售发票".into() },
        company: company_header(tx, ctx)?,
        number: number.clone(),
        meta,
        columns: goods_columns(),
        rows: invoice
            .lines
            .iter()
            .map(|l| {
                goods_row(
                    l.seq,
                    &l.product_code,
                    &l.description,
                    &l.quantity,
                    &l.unit_price,
                    &l.tax_rate,
                    &l.untaxed,
                    &l.tax,
                )
            })
            .collect(),
        totals: vec![
            ("不含税金额".into(), invoice.untaxed.clone()),
            ("税额".into(), invoice.tax.clone()),
            ("价税合计".into(), invoice.total.clone()),
        ],
        amount_in_words: Some(print::amount_in_chinese(minor_of(&invoice.total, &invoice.currency))),
        signatures: vec!["开票人".into(), "复核".into(), "收款人".into()],
        ..PrintDocument::default()
    };
    Ok((format!("{number}.pdf"), print::render(&document)?))
}

/// A delivery note (送货单) or any other stock document, with lots and the quantities done or
/// to do.
pub fn picking_pdf(tx: &mut Tx<'_>, ctx: &Ctx, id: PickingId) -> Result<(String, Vec<u8>)> {
    let picking: Picking = inventory::get_picking(tx, ctx, id)?;
    let partner = match &picking.partner_id {
        Some(p) => {
            tx.query_opt("select name from party_party where id = $1", &[p])?.map(|r| r.get::<String>(0)).transpose()?
        }
        None => None,
    };
    let title = match picking.kind {
        inventory::PickingKind::Delivery => "送货单",
        inventory::PickingKind::Receipt => "入库单",
        _ => "库存单据",
    };
    let mut meta = vec![
        ("日期".to_string(), picking.done_date.clone().unwrap_or_else(|| picking.scheduled_date.clone())),
        ("发出".into(), picking.from.clone()),
        ("送达".into(), picking.to.clone()),
    ];
    if let Some(name) = partner {
        meta.insert(0, ("往来单位".into(), name));
    }
    let done = picking.state == inventory::PickingState::Done;
    let document = PrintDocument {
        title: title.into(),
        company: company_header(tx, ctx)?,
        number: picking.number.clone(),
        meta,
        columns: vec![
            Column::new("序号", 0.6, Align::Center),
            Column::new("编码", 1.6, Align::Left),
            Column::new("名称", 3.6, Align::Left),
            Column::new("批次", 1.6, Align::Left),
            Column::new("数量", 1.4, Align::Right),
        ],
        rows: picking
            .moves
            .iter()
            .enumerate()
            .map(|(i, m)| {
                vec![
                    (i + 1).to_string(),
                    m.product_code.clone(),
                    m.product_name.clone(),
                    m.lot.clone().unwrap_or_default(),
                    trim_zeros(if done { &m.done } else { &m.quantity }),
                ]
            })
            .collect(),
        notes: if picking.note.is_empty() { vec![] } else { vec![picking.note.clone()] },
        signatures: vec!["发货人".into(), "承运人".into(), "收货人".into()],
        ..PrintDocument::default()
    };
    Ok((format!("{}.pdf", picking.number), print::render(&document)?))
}

/// A purchase order as sent to the supplier.
pub fn purchase_order_pdf(tx: &mut Tx<'_>, ctx: &Ctx, id: PurchaseOrderId) -> Result<(String, Vec<u8>)> {
    let order: PurchaseOrder = purchasing::get_order(tx, ctx, id)?;
    let document = PrintDocument {
        title: "采购订单".into(),
        company: company_header(tx, ctx)?,
        number: order.number.clone(),
        meta: vec![
            ("供应商".into(), order.supplier_name.clone()),
            ("订单日期".into(), order.order_date.clone()),
            ("交货日期".into(), order.expected_date.clone()),
            ("币种".into(), order.currency.clone()),
        ],
        columns: vec![
            Column::new("序号", 0.6, Align::Center),
            Column::new("编码", 1.4, Align::Left),
            Column::new("名称", 3.2, Align::Left),
            Column::new("数量", 1.2, Align::Right),
            Column::new("单价", 1.3, Align::Right),
            Column::new("金额", 1.4, Align::Right),
            Column::new("税额", 1.2, Align::Right),
        ],
        rows: order
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.seq.to_string(),
                    l.product_code.clone(),
                    l.description.clone(),
                    trim_zeros(&l.quantity),
                    trim_zeros(&l.unit_price),
                    l.untaxed.clone(),
                    l.tax.clone(),
                ]
            })
            .collect(),
        totals: vec![
            ("不含税金额".into(), order.untaxed.clone()),
            ("税额".into(), order.tax.clone()),
            ("价税合计".into(), order.total.clone()),
        ],
        amount_in_words: Some(print::amount_in_chinese(minor_of(&order.total, &order.currency))),
        notes: if order.note.is_empty() { vec![] } else { vec![order.note.clone()] },
        signatures: vec!["采购员".into(), "审批".into(), "供应商确认".into()],
        ..PrintDocument::default()
    };
    Ok((format!("{}.pdf", order.number), print::render(&document)?))
}

/// Sends a quotation to the customer: marks it sent and queues the mail with its PDF (the
/// outbox delivers it after commit, retrying while the mail server is away).
pub fn mail_quotation(tx: &mut Tx<'_>, ctx: &Ctx, id: OrderId, to: &str, message: &str) -> Result<SalesOrder> {
    use base64::Engine;
    let to = to.trim();
    if !to.contains('@') || to.len() > 254 {
        return Err(kernel::Error::field("to", "sales.email_invalid"));
    }
    let order = sales::send_quotation(tx, ctx, id)?;
    let (file, pdf) = sales_order_pdf(tx, ctx, id)?;
    let company = company_header(tx, ctx)?;
    let text = if message.trim().is_empty() {
        format!(
            "{} 您好：\n\n附件是我司报价单 {}，价税合计 {} {}{}。\n\n{}",
            order.customer_name,
            order.number,
            order.currency,
            order.total,
            order.valid_until.as_ref().map(|d| format!("，有效期至 {d}")).unwrap_or_default(),
            company
        )
    } else {
        message.trim().to_string()
    };
    let payload = serde_json::json!({
        "to": to,
        "subject": format!("{company} 报价单 {}", order.number),
        "text": text,
        "attachments": [{"name": file, "content_type": crate::download::PDF,
            "base64": base64::engine::general_purpose::STANDARD.encode(&pdf)}],
    });
    kernel::outbox::enqueue(
        tx,
        ctx,
        kernel::outbox::MAIL_TOPIC,
        &payload,
        Some(&format!("quotation-mail:{id}:{}:{to}", order.version)),
    )?;
    kernel::audit::record(tx, ctx, "sales.order.mail", "sales.order", &id, serde_json::json!({"to": to}))?;
    Ok(order)
}

/// A 记账凭证 in the usual layout: date, word and number, attachments, the lines with 摘要,
/// 会计科目, 借方金额 and 贷方金额, the totals with the amount in capitals, and the 会计主管 / 记账 /
/// 审核 / 制单 signatures with the names the voucher records.
pub fn voucher_pdf(tx: &mut Tx<'_>, ctx: &Ctx, id: ledger::VoucherId) -> Result<(String, Vec<u8>)> {
    let voucher = ledger::get_voucher(tx, ctx, id)?;
    let named = |label: &str, who: &Option<String>| match who {
        Some(name) => format!("{label}：{name}"),
        None => label.to_string(),
    };
    let state = match voucher.state.as_str() {
        "draft" => "未审核",
        "reviewed" => "已审核",
        _ => "已记账",
    };
    let document = PrintDocument {
        title: "记账凭证".into(),
        company: company_header(tx, ctx)?,
        number: voucher.label.clone(),
        meta: vec![
            ("日期".into(), voucher.date.clone()),
            ("会计期间".into(), voucher.period.clone()),
            ("附单据".into(), format!("{} 张", voucher.attachments)),
            ("状态".into(), state.into()),
        ],
        columns: vec![
            Column::new("摘要", 3.0, Align::Left),
            Column::new("会计科目", 3.0, Align::Left),
            Column::new("借方金额", 1.5, Align::Right),
            Column::new("贷方金额", 1.5, Align::Right),
        ],
        rows: voucher
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.summary.clone(),
                    format!("{} {}", l.account_code, l.account_name),
                    l.debit.clone(),
                    l.credit.clone(),
                ]
            })
            .collect(),
        totals: vec![
            ("借方合计".into(), voucher.total_debit.clone()),
            ("贷方合计".into(), voucher.total_credit.clone()),
        ],
        amount_in_words: Some(print::amount_in_chinese(minor_of(&voucher.total_debit, "CNY"))),
        notes: voucher.source.iter().map(|s| format!("来源单据：{} {}", s.kind, s.id)).collect(),
        signatures: vec![
            "会计主管".into(),
            named("记账", &voucher.posted_by),
            named("审核", &voucher.reviewed_by),
            format!("制单：{}", voucher.prepared_by),
        ],
        ..PrintDocument::default()
    };
    Ok((format!("voucher-{}-{}.pdf", voucher.period, voucher.label), print::render(&document)?))
}

/// The company's name for the header of printed reports.
pub fn company_name(tx: &mut Tx<'_>, ctx: &Ctx) -> Result<String> {
    company_header(tx, ctx)
}
