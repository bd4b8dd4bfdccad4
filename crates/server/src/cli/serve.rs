//! `tiangong serve`: the HTTP server plus the outbox worker, until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use kernel::clock::SystemClock;
use kernel::outbox::WorkerPolicy;

use crate::runtime::{self, Worker};
use crate::settings::Settings;

pub fn serve(settings: Settings, addr: String) -> anyhow::Result<()> {
    let started = Instant::now();
    tracing::info!(?settings, "starting");
    let clock = Arc::new(SystemClock);
    let config = runtime::db_config(&settings);
    let prepared = runtime::prepare(&config, &settings, clock.clone())?;
    if let Some(first) = &prepared.bootstrapped {
        match &first.generated_password {
            Some(password) => println!(
                "首次启动：已创建公司 Demo Company 和管理员 admin，密码 {password}（仅显示这一次）\n\
                 First start: created company \"Demo Company\" and user admin with password {password} (shown only once)"
            ),
            None => println!(
                "首次启动：已创建管理员 admin（密码来自 TIANGONG_ADMIN_PASSWORD） / First start: created user admin"
            ),
        }
    }
    let worker = settings.outbox_worker.then(|| {
        let policy = WorkerPolicy {
            max_attempts: settings.outbox_max_attempts,
            lease: time::Duration::seconds(settings.outbox_lease_seconds.max(1)),
            ..WorkerPolicy::default()
        };
        Worker::spawn(
            prepared.db.clone(),
            clock.clone(),
            policy,
            Duration::from_millis(settings.outbox_poll_ms),
            crate::mail::MailConfig { smtp_url: settings.smtp_url.clone(), from: settings.mail_from.clone() },
        )
    });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let result = runtime.block_on(async {
        let listener =
            tokio::net::TcpListener::bind(&addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        println!("天工 Tiangong 正在运行 / serving on http://{local}  (ready in {} ms)", started.elapsed().as_millis());
        let app = web::app(prepared.state).into_make_service_with_connect_info::<SocketAddr>();
        // Answers go out at once: with Nagle's algorithm a small answer can wait for the
        // client's delayed acknowledgement of the previous one (up to 40 ms on Linux).
        let listener = axum::serve::ListenerExt::tap_io(listener, |stream: &mut tokio::net::TcpStream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "TCP_NODELAY not set on a connection");
            }
        });
        axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
        anyhow::Ok(())
    });
    if let Some(worker) = worker {
        worker.stop();
    }
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
