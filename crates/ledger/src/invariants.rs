//! What must hold of the books at every moment: every voucher balances, the balances equal the
//! posted lines, and debits equal credits in every company.

use kernel::db::Tx;
use kernel::invariant::Invariant;

fn vouchers_balance(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    tx.query(
        "select v.company_id, v.period, v.word, v.number, sum(l.debit), sum(l.credit) from ledger_voucher v
         join ledger_line l on l.voucher_id = v.id group by v.id, v.company_id, v.period, v.word, v.number
         having sum(l.debit) <> sum(l.credit)",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(format!(
            "company {} voucher {} {}-{}: debit {} credit {}",
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<i64>(3)?,
            r.get::<i64>(4)?,
            r.get::<i64>(5)?
        ))
    })
    .collect()
}

fn balances_equal_postings(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    type Key = (String, String, String);
    let read = |tx: &mut Tx<'_>, sql: &str| -> kernel::Result<std::collections::HashMap<Key, (i64, i64)>> {
        tx.query(sql, &[])?.iter().map(|r| Ok(((r.get(0)?, r.get(1)?, r.get(2)?), (r.get(3)?, r.get(4)?)))).collect()
    };
    let balances = read(tx, "select company_id, account_id, period, debit, credit from ledger_balance")?;
    let posted = read(
        tx,
        "select l.company_id, l.account_id, v.period, sum(l.debit), sum(l.credit) from ledger_line l
         join ledger_voucher v on v.id = l.voucher_id where v.state = 'posted' group by l.company_id, l.account_id, v.period",
    )?;
    let keys: std::collections::BTreeSet<&Key> = balances.keys().chain(posted.keys()).collect();
    Ok(keys
        .into_iter()
        .filter_map(|k| {
            let (b, p) = (balances.get(k).copied().unwrap_or((0, 0)), posted.get(k).copied().unwrap_or((0, 0)));
            (b != p).then(|| format!("company {} account {} {}: balance {:?} but posted {:?}", k.0, k.1, k.2, b, p))
        })
        .collect())
}

fn trial_balance_zero(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    tx.query(
        "select company_id, sum(debit), sum(credit) from ledger_balance group by company_id having sum(debit) <> sum(credit)",
        &[],
    )?
    .iter()
    .map(|r| Ok(format!("company {}: debits {} but credits {}", r.get::<String>(0)?, r.get::<i64>(1)?, r.get::<i64>(2)?)))
    .collect()
}

fn numbers_without_gaps(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    tx.query(
        "select company_id, period, word, count(*), max(number) from ledger_voucher group by company_id, period, word
         having count(*) <> max(number)",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(format!(
            "company {} {} {}: {} vouchers numbered up to {}",
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<i64>(3)?,
            r.get::<i64>(4)?
        ))
    })
    .collect()
}

/// 往来明细 = 总账: on the receivable and payable accounts, every posted line names its
/// partner, and what is open per line (its amount less what was matched to it) adds up to the
/// account's balance.
fn subledgers_equal_control_accounts(tx: &mut Tx<'_>) -> kernel::Result<Vec<String>> {
    let mut problems = Vec::new();
    for r in tx.query(
        "select a.company_id, a.code, count(*) from ledger_line l join ledger_account a on a.id = l.account_id
         where a.role in ('receivable', 'payable') and l.posted = 1 and l.partner_id is null
         group by a.company_id, a.code",
        &[],
    )? {
        problems.push(format!(
            "company {} account {}: {} posted lines without a partner",
            r.get::<String>(0)?,
            r.get::<String>(1)?,
            r.get::<i64>(2)?
        ));
    }
    for r in tx.query(
        "select a.company_id, a.code,
                coalesce((select sum(l.debit - l.credit) from ledger_line l where l.account_id = a.id and l.posted = 1), 0)
                - coalesce((select sum(m.amount) from ledger_reconcile m join ledger_line d on d.id = m.debit_line_id
                            where d.account_id = a.id), 0)
                + coalesce((select sum(m.amount) from ledger_reconcile m join ledger_line c on c.id = m.credit_line_id
                            where c.account_id = a.id), 0),
                coalesce((select sum(b.debit - b.credit) from ledger_balance b where b.account_id = a.id), 0)
         from ledger_account a where a.role in ('receivable', 'payable')",
        &[],
    )? {
        let (open, balance): (i64, i64) = (r.get(2)?, r.get(3)?);
        if open != balance {
            problems.push(format!(
                "company {} account {}: open items {open} fen but the account {balance} fen",
                r.get::<String>(0)?,
                r.get::<String>(1)?
            ));
        }
    }
    Ok(problems)
}

pub const INVARIANTS: &[Invariant] = &[
    Invariant {
        name: "ledger.vouchers_balance",
        description: "every voucher's debits equal its credits",
        check: vouchers_balance,
    },
    Invariant {
        name: "ledger.balances",
        description: "account balances = Σ posted voucher lines per period",
        check: balances_equal_postings,
    },
    Invariant { name: "ledger.trial_balance", description: "total debits = total credits", check: trial_balance_zero },
    Invariant {
        name: "ledger.open_items",
        description: "no line is matched beyond its amount; matches join lines of one account and partner",
        check: crate::open_items::check_matches,
    },
    Invariant {
        name: "ledger.subledgers",
        description: "receivable and payable open items (每个往来单位) add up to their control accounts",
        check: subledgers_equal_control_accounts,
    },
    Invariant {
        name: "ledger.numbering",
        description: "voucher numbers run 1…n per period and word, without gaps",
        check: numbers_without_gaps,
    },
];
