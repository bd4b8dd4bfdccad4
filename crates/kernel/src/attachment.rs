//! Attachments: files on any record, stored on disk under the data folder, size-limited and
//! type-checked by their content (magic bytes), not by the name the browser sends.

use std::path::PathBuf;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::{Row, Tx};
use crate::id::Uuid;
use crate::{Ctx, Error, Result, audit};

/// Where attachment bytes live and how large they may be.
#[derive(Clone, Debug)]
pub struct AttachmentStore {
    pub root: PathBuf,
    pub max_bytes: usize,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub created_at: String,
}

/// The accepted kinds of file, recognised by content.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"PK\x03\x04") {
        // Office documents (xlsx, docx) are zip containers.
        Some("application/zip")
    } else if !bytes.is_empty() && std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) {
        Some("text/plain; charset=utf-8")
    } else {
        None
    }
}

fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() { "file".into() } else { cleaned }
}

impl AttachmentStore {
    fn path(&self, company: &str, id: &str) -> PathBuf {
        self.root.join(company).join(id)
    }

    /// Stores a file on a record, in the caller's transaction (the file is written first; if
    /// the transaction fails, the orphan file is removed).
    pub fn add(
        &self,
        tx: &mut Tx<'_>,
        ctx: &Ctx,
        subject_kind: &str,
        subject_id: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<Attachment> {
        if bytes.len() > self.max_bytes {
            return Err(
                Error::field("file", "kernel.attachment.too_large").with_param("max_mb", self.max_bytes / 1_048_576)
            );
        }
        let content_type = sniff(bytes).ok_or_else(|| Error::field("file", "kernel.attachment.type_refused"))?;
        let id = Uuid::now_v7().to_string();
        let company = ctx.company().to_string();
        let path = self.path(&company, &id);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(Error::internal)?;
        }
        std::fs::write(&path, bytes).map_err(Error::internal)?;
        let name = clean_name(file_name);
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let result = (|| {
            tx.execute(
                "insert into kernel_attachment (id, company_id, subject_kind, subject_id, file_name, content_type, size_bytes, sha256, created_at, created_by)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[&id, &company, &subject_kind, &subject_id, &name, &content_type, &size, &hex::encode(Sha256::digest(bytes)), &ctx.now_text(), &ctx.actor().label()],
            )?;
            audit::record(
                tx,
                ctx,
                "kernel.attachment.add",
                subject_kind,
                &subject_id,
                serde_json::json!({"attachment": id, "file": name, "bytes": size}),
            )
        })();
        if let Err(error) = result {
            let _ = std::fs::remove_file(&path);
            return Err(error);
        }
        Ok(Attachment {
            id,
            file_name: name,
            content_type: content_type.into(),
            size_bytes: size,
            created_at: ctx.now_text(),
        })
    }

    /// The attachments of a record, oldest first.
    pub fn list(&self, tx: &mut Tx<'_>, ctx: &Ctx, subject_kind: &str, subject_id: &str) -> Result<Vec<Attachment>> {
        tx.query(
            "select id, file_name, content_type, size_bytes, created_at from kernel_attachment
             where company_id = $1 and subject_kind = $2 and subject_id = $3 order by created_at",
            &[&ctx.company(), &subject_kind, &subject_id],
        )?
        .iter()
        .map(attachment_from)
        .collect()
    }

    /// One attachment of the caller's company with its bytes, and the record it belongs to.
    pub fn read(&self, tx: &mut Tx<'_>, ctx: &Ctx, id: &str) -> Result<(Attachment, String, Vec<u8>)> {
        let row = tx
            .query_opt(
                "select id, file_name, content_type, size_bytes, created_at, subject_kind from kernel_attachment where company_id = $1 and id = $2",
                &[&ctx.company(), &id],
            )?
            .ok_or_else(|| Error::not_found("kernel.attachment.not_found"))?;
        let attachment = attachment_from(&row)?;
        let kind: String = row.get(5)?;
        let bytes = std::fs::read(self.path(&ctx.company().to_string(), id)).map_err(Error::internal)?;
        Ok((attachment, kind, bytes))
    }
}

fn attachment_from(row: &Row) -> Result<Attachment> {
    Ok(Attachment {
        id: row.get(0)?,
        file_name: row.get(1)?,
        content_type: row.get(2)?,
        size_bytes: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub const MESSAGES: &[crate::i18n::Message] = &[
    crate::msg!("kernel.attachment.too_large", "文件太大（上限 {max_mb} MB）", "File too large (limit {max_mb} MB)"),
    crate::msg!(
        "kernel.attachment.type_refused",
        "不支持的文件类型（可用 PDF、图片、Office 文档、文本）",
        "File type not accepted (PDF, images, Office documents, text)"
    ),
    crate::msg!("kernel.attachment.not_found", "附件不存在", "Attachment not found"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_type() {
        assert_eq!(sniff(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(sniff("发票 invoice".as_bytes()), Some("text/plain; charset=utf-8"));
        assert_eq!(sniff(&[0x7f, b'E', b'L', b'F', 0, 1]), None);
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
    }
}
