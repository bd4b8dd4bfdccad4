//! Delivery of outbox messages of topic `mail.send` over SMTP (quotations sent to customers,
//! later notifications). Payload: `{"to": "...", "subject": "...", "text": "...",
//! "attachments": [{"name": "SO-2026-000001.pdf", "content_type": "application/pdf",
//! "base64": "..."}]}`. The server is `smtp_url` in the settings (`smtp://host:port`, with
//! `user:password@` when it asks for a login); without it messages wait and retry.
//! No TLS is built in: send through a relay on the same host or network (Postfix, the
//! company's mail gateway) — it keeps the build free of a TLS stack.

use std::sync::Arc;

use base64::Engine;
use kernel::outbox::{Handler, OutboxMessage};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Message, SmtpTransport, Transport};

pub const TOPIC: &str = kernel::outbox::MAIL_TOPIC;

/// Where mail goes out and whom it comes from.
#[derive(Clone, Debug, Default)]
pub struct MailConfig {
    pub smtp_url: String,
    pub from: String,
}

pub fn handler(config: &MailConfig) -> Handler {
    let config = config.clone();
    Arc::new(move |message: &OutboxMessage| deliver(&config, message))
}

fn field<'a>(message: &'a OutboxMessage, name: &str) -> Result<&'a str, String> {
    message.payload.get(name).and_then(|v| v.as_str()).ok_or_else(|| format!("payload has no {name}"))
}

fn deliver(config: &MailConfig, message: &OutboxMessage) -> Result<(), String> {
    if config.smtp_url.trim().is_empty() {
        return Err("mail is not configured (smtp_url)".into());
    }
    let from = if config.from.trim().is_empty() { "tiangong@localhost" } else { config.from.trim() };
    let mut body = MultiPart::mixed().singlepart(SinglePart::plain(field(message, "text")?.to_string()));
    for attachment in message.payload.get("attachments").and_then(|a| a.as_array()).into_iter().flatten() {
        let name = attachment.get("name").and_then(|v| v.as_str()).unwrap_or("attachment");
        let kind = attachment.get("content_type").and_then(|v| v.as_str()).unwrap_or("application/octet-stream");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(attachment.get("base64").and_then(|v| v.as_str()).unwrap_or(""))
            .map_err(|e| format!("attachment {name}: {e}"))?;
        let kind = ContentType::parse(kind).map_err(|e| format!("attachment {name}: {e}"))?;
        body = body.singlepart(Attachment::new(name.to_string()).body(bytes, kind));
    }
    let email = Message::builder()
        .from(from.parse().map_err(|e| format!("from address: {e}"))?)
        .to(field(message, "to")?.parse().map_err(|e| format!("to address: {e}"))?)
        .subject(field(message, "subject")?)
        .header(lettre::message::header::MessageId::from(format!(
            "<{}@tiangong>",
            message.idempotency_key.replace(['<', '>', '@', ' '], ".")
        )))
        .multipart(body)
        .map_err(|e| format!("message: {e}"))?;
    transport(&config.smtp_url)?.send(&email).map(|_| ()).map_err(|e| format!("SMTP: {e}"))
}

/// `smtp://[user:password@]host[:port]` (port 25 by default) as a plain SMTP transport.
fn transport(url: &str) -> Result<SmtpTransport, String> {
    let rest = url.trim().strip_prefix("smtp://").ok_or("smtp_url must start with smtp://")?;
    let (login, address) = match rest.rsplit_once('@') {
        Some((login, address)) => (Some(login), address),
        None => (None, rest),
    };
    let address = address.trim_end_matches('/');
    let (host, port) = match address.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>().map_err(|_| format!("smtp_url: bad port {port}"))?),
        None => (address, 25),
    };
    let mut builder = SmtpTransport::builder_dangerous(host).port(port);
    if let Some(login) = login {
        let (user, password) = login.split_once(':').unwrap_or((login, ""));
        builder = builder.credentials(Credentials::new(user.to_string(), password.to_string()));
    }
    Ok(builder.build())
}
