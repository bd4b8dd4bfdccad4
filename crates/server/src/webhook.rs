//! Delivery of outbox messages of topic `webhook.post`: an HTTP POST of a JSON body to a URL,
//! with the message's idempotency key in the `Idempotency-Key` header so the receiver can
//! drop a repeated delivery. Payload: `{"url": "...", "body": {...}}`.

use std::sync::Arc;
use std::time::Duration;

use kernel::outbox::{Handler, OutboxMessage};

pub const TOPIC: &str = "webhook.post";

pub fn handler() -> Handler {
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(15)).build().ok();
    Arc::new(move |message: &OutboxMessage| {
        let client = client.as_ref().ok_or("HTTP client unavailable")?;
        deliver(client, message)
    })
}

fn deliver(client: &reqwest::blocking::Client, message: &OutboxMessage) -> Result<(), String> {
    let url = message.payload.get("url").and_then(|u| u.as_str()).ok_or("payload has no url")?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("not an http(s) url: {url}"));
    }
    let body = message.payload.get("body").cloned().unwrap_or(serde_json::Value::Null);
    let response = client
        .post(url)
        .header("Idempotency-Key", &message.idempotency_key)
        .header("X-Tiangong-Topic", &message.topic)
        .json(&body)
        .send()
        .map_err(|e| format!("request failed: {e}"))?;
    if response.status().is_success() { Ok(()) } else { Err(format!("receiver answered {}", response.status())) }
}
