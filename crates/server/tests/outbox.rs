//! The transactional outbox: nothing leaves for a rolled-back transaction; a committed message
//! is delivered; a worker that dies between sending and marking loses nothing (the message
//! comes again with the same idempotency key); failures back off and end dead, and can be
//! retried.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use kernel::outbox::{self, Handlers, WorkerPolicy};
use kernel::{Error, Result};
use serde_json::json;
use testkit::{TestApp, spawn};

/// A webhook receiver on loopback that records each delivery's idempotency key and can be
/// told to fail.
struct Receiver {
    url: String,
    keys: Arc<Mutex<Vec<String>>>,
    failing: Arc<Mutex<bool>>,
    _runtime: tokio::runtime::Runtime,
}

fn receiver() -> Receiver {
    let keys = Arc::new(Mutex::new(Vec::new()));
    let failing = Arc::new(Mutex::new(false));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (k, f) = (keys.clone(), failing.clone());
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap| {
            let (k, f) = (k.clone(), f.clone());
            async move {
                if *f.lock().unwrap() {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                k.lock().unwrap().push(key);
                StatusCode::OK
            }
        }),
    );
    runtime.spawn(async move { axum::serve(listener, app).await });
    Receiver { url, keys, failing, _runtime: runtime }
}

fn handlers() -> Handlers {
    server::wiring::outbox_handlers(&Default::default())
}

fn enqueue(app: &TestApp, url: &str, key: Option<&str>) -> Result<outbox::OutboxId> {
    let ctx = app.system_ctx();
    app.db.write(|tx| {
        outbox::enqueue(tx, &ctx, server::webhook::TOPIC, &json!({"url": url, "body": {"hello": "世界"}}), key)
    })
}

#[test]
fn rolled_back_messages_are_never_delivered_and_committed_ones_are() {
    let app = spawn();
    let receiver = receiver();
    let ctx = app.system_ctx();
    let rolled_back: Result<()> = app.db.write(|tx| {
        outbox::enqueue(tx, &ctx, server::webhook::TOPIC, &json!({"url": receiver.url}), Some("rolled-back"))?;
        Err(Error::invalid("test.abort"))
    });
    assert!(rolled_back.is_err());
    enqueue(&app, &receiver.url, Some("committed")).unwrap();
    let report = outbox::deliver_due(&app.db, app.clock.as_ref(), &WorkerPolicy::default(), &handlers()).unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(*receiver.keys.lock().unwrap(), vec!["committed".to_string()]);
    let again = outbox::deliver_due(&app.db, app.clock.as_ref(), &WorkerPolicy::default(), &handlers()).unwrap();
    assert_eq!(again.delivered, 0, "delivered messages are not sent again");
    // Enqueueing the same fact twice is one message.
    enqueue(&app, &receiver.url, Some("committed")).unwrap();
    assert_eq!(
        outbox::deliver_due(&app.db, app.clock.as_ref(), &WorkerPolicy::default(), &handlers()).unwrap().delivered,
        0
    );
}

#[test]
fn a_worker_dying_between_send_and_mark_loses_nothing() {
    let app = spawn();
    let receiver = receiver();
    let policy = WorkerPolicy::default();
    let id = enqueue(&app, &receiver.url, None).unwrap();
    // The worker claims and sends… and dies before marking (nothing after the send runs).
    let claimed = outbox::claim_due(&app.db, app.clock.as_ref(), &policy).unwrap();
    assert_eq!(claimed.len(), 1);
    let handler = handlers();
    server::webhook::handler()(&claimed[0]).unwrap();
    // While the lease holds, no other worker takes it.
    assert_eq!(outbox::deliver_due(&app.db, app.clock.as_ref(), &policy, &handler).unwrap().delivered, 0);
    // The lease runs out; the next worker delivers it again under the same key.
    app.clock.advance(policy.lease + time::Duration::seconds(1));
    assert_eq!(outbox::deliver_due(&app.db, app.clock.as_ref(), &policy, &handler).unwrap().delivered, 1);
    let keys = receiver.keys.lock().unwrap().clone();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the receiver can drop the duplicate by its key");
    assert_eq!(keys[0], id.to_string());
    let message = app.db.read(|tx| outbox::get(tx, &app.system_ctx(), id)).unwrap();
    assert_eq!(message.state, "done");
}

#[test]
fn failures_back_off_then_die_and_can_be_retried() {
    let app = spawn();
    let receiver = receiver();
    *receiver.failing.lock().unwrap() = true;
    let policy = WorkerPolicy { max_attempts: 3, ..WorkerPolicy::default() };
    let id = enqueue(&app, &receiver.url, None).unwrap();
    let report = outbox::deliver_due(&app.db, app.clock.as_ref(), &policy, &handlers()).unwrap();
    assert_eq!(report.failed, 1);
    // Not due again before the backoff has passed.
    assert_eq!(outbox::deliver_due(&app.db, app.clock.as_ref(), &policy, &handlers()).unwrap(), Default::default());
    app.clock.advance(time::Duration::seconds(6));
    assert_eq!(outbox::deliver_due(&app.db, app.clock.as_ref(), &policy, &handlers()).unwrap().failed, 1);
    app.clock.advance(time::Duration::seconds(11));
    assert_eq!(outbox::deliver_due(&app.db, app.clock.as_ref(), &policy, &handlers()).unwrap().dead, 1);
    let admin = app.admin();
    let dead = admin.get(&format!("/api/v1/outbox/{id}")).json;
    assert_eq!(dead["state"], "dead");
    assert!(dead["last_error"].as_str().unwrap().contains("503"));
    assert_eq!(admin.get("/api/v1/outbox?state=dead").json["items"].as_array().unwrap().len(), 1);
    // The receiver recovers; an administrator retries; it is delivered.
    *receiver.failing.lock().unwrap() = false;
    let retried = admin.post(&format!("/api/v1/outbox/{id}/retry"), &json!({}));
    assert_eq!(retried.status, 200, "{}", retried.body);
    assert_eq!(outbox::deliver_due(&app.db, app.clock.as_ref(), &policy, &handlers()).unwrap().delivered, 1);
    assert_eq!(admin.get(&format!("/api/v1/outbox/{id}")).json["state"], "done");
    assert_eq!(admin.post(&format!("/api/v1/outbox/{id}/retry"), &json!({})).status, 409);
}
