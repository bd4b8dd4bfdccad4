//! The colleague picker's lookup: the active members of the caller's company whose login or
//! name starts with what was typed. Any member may see who their colleagues are (to assign a
//! task, to name an approver) without holding the user-administration permission, and sees
//! only login and name.

use crate::db::Tx;
use crate::{Ctx, Result};

/// A member of the company offered by a picker.
#[derive(Clone, Debug)]
pub struct Colleague {
    pub id: String,
    pub username: String,
    pub display_name: String,
}

/// At most `limit` active members of the caller's company, by login, whose login or name
/// starts with `typed` (case-insensitive).
pub fn lookup_colleagues(tx: &mut Tx<'_>, ctx: &Ctx, typed: &str, limit: u32) -> Result<Vec<Colleague>> {
    let prefix = typed.trim().to_lowercase();
    let pattern = format!("{}%", prefix.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    tx.query(
        "select u.id, u.username, u.display_name from kernel_user u join kernel_membership m on m.user_id = u.id
         where m.company_id = $1 and u.active = 1
           and (u.username like $2 escape '\\' or lower(u.display_name) like $2 escape '\\')
         order by u.username limit $3",
        &[&ctx.company(), &pattern, &i64::from(limit)],
    )?
    .iter()
    .map(|row| Ok(Colleague { id: row.get(0)?, username: row.get(1)?, display_name: row.get(2)? }))
    .collect()
}
