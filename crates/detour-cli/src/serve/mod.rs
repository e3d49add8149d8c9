//! `detour serve`: an HTTP JSON API over the library calls, and the dashboard.
//!
//! The HTTP layer is hyper's HTTP/1.1 server on Tokio, with the limits set here:
//! - request line and headers together at most [`MAX_HEADER_BYTES`], at most [`MAX_HEADERS`]
//!   fields, all within [`HEADER_TIMEOUT`] (also the idle time allowed between requests on a
//!   kept-alive connection); more is answered 431, slower is closed;
//! - bodies at most [`MAX_BODY`]: a larger declared length is answered 413 before anything is
//!   read, a chunked body is counted while it streams; the whole body within [`BODY_TIMEOUT`]
//!   (408); one `Content-Length` only;
//! - a response a client does not read is dropped after [`WRITE_TIMEOUT`] without progress;
//! - at most [`MAX_CONNECTIONS`] open connections (more wait in the kernel's backlog);
//! - computing requests run on `--threads` workers with at most [`QUEUE`] more waiting; a request
//!   that finds the queue full is answered 503 at once, and one that is not done within
//!   [`TIME_LIMIT`] is answered 503 and its work stopped (the deadline reaches the library call,
//!   which checks it as it goes);
//! - the dashboard, its script, the API description and `/api/health` never wait for a worker;
//! - SIGTERM or Ctrl-C stops accepting, lets requests in flight finish (up to [`SHUTDOWN_GRACE`])
//!   and exits.

mod analyses;
mod api;
mod io;

use std::convert::Infallible;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::Semaphore;

use api::{Reply, error_reply, reply_of};
use detour_store::Store;

/// Largest request body (a text to check, a CSV to estimate on).
pub const MAX_BODY: usize = 5 * 1024 * 1024;
/// Longest a request may compute, unless `--time-limit` says otherwise.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);
/// Request line and header fields together.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Header fields in one request.
pub const MAX_HEADERS: usize = 64;
/// Time for the request line and headers to arrive, and idle time between requests.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for the whole body to arrive.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(30);
/// Time a response may wait for the client to read it.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Open connections at once.
pub const MAX_CONNECTIONS: usize = 1024;
/// Computing requests waiting for a worker, beyond those running.
pub const QUEUE: usize = 32;
/// How long requests in flight may finish after SIGTERM.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; loopback by default. Binding another interface exposes the API to the network.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Worker threads computing answers (queries, estimation, simulation, claims).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: u16,
    /// Seconds a request may compute before it is answered 503 and its work stopped.
    #[arg(long, default_value_t = TIME_LIMIT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub time_limit: u64,
}

/// What every connection shares.
struct Shared {
    store: Store,
    workers: Semaphore,
    /// Computing requests running or waiting.
    pending: AtomicUsize,
    capacity: usize,
    time_limit: Duration,
}

/// Used by `main`: serve until SIGTERM or Ctrl-C.
pub fn open(args: &ServeArgs, store: Store) -> Result<()> {
    run(args, store).with_context(|| format!("detour serve on {}", args.addr))
}

fn run(args: &ServeArgs, store: Store) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("detour-serve")
        .build()
        .context("starting the server's runtime")?;
    let r = rt.block_on(serve(args, store));
    // Computations still running past the grace period end with the process.
    rt.shutdown_background();
    r
}

async fn serve(args: &ServeArgs, store: Store) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| anyhow!("listening on {}: {e}", args.addr))?;
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "warning: listening on {} — reachable from the network",
            args.addr
        );
    }
    let bound = listener.local_addr().unwrap_or(args.addr);
    // The first line names the bound address (port 0 picks a free one): scripts read it.
    crate::output::emit(&format!(
        "detour serve: http://{bound} (dashboard), http://{bound}/api/openapi.json\n"
    ));
    let threads = usize::from(args.threads.max(1));
    let shared = Arc::new(Shared {
        store,
        workers: Semaphore::new(threads),
        pending: AtomicUsize::new(0),
        capacity: threads + QUEUE,
        time_limit: Duration::from_secs(args.time_limit),
    });
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADERS);
    let stop = shutdown_signal();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&connections).acquire_owned() => p.map_err(|_| anyhow!("connection limit closed"))?,
            () = &mut stop => break,
        };
        let (tcp, _) = tokio::select! {
            c = listener.accept() => match c {
                Ok(c) => c,
                // A client that left before being accepted, or a file-descriptor limit: go on.
                Err(e) => {
                    eprintln!("warning: accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = tcp.set_nodelay(true);
        let io = io::TimedIo::new(tcp, WRITE_TIMEOUT);
        let sh = Arc::clone(&shared);
        let svc = hyper::service::service_fn(move |req| {
            let sh = Arc::clone(&sh);
            async move { Ok::<_, Infallible>(handle(req, sh).await) }
        });
        let conn = graceful.watch(builder.serve_connection(io, svc));
        tokio::spawn(async move {
            // Errors here are the client's (a reset, a timeout, a malformed request that hyper
            // has already answered): nothing to report.
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            eprintln!("detour serve: stopped with requests unfinished after {} s", SHUTDOWN_GRACE.as_secs());
        }
    }
    Ok(())
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

fn too_large() -> Reply {
    error_reply(
        413,
        &format!("the body is larger than {} MB", MAX_BODY / (1024 * 1024)),
    )
}

/// One request: the limits, then the answer.
async fn handle(req: Request<Incoming>, sh: Arc<Shared>) -> Response<Full<Bytes>> {
    let head = req.method() == Method::HEAD;
    let accepts_gzip = req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains("gzip")));
    let reply = match answer(req, &sh).await {
        Ok(r) => r,
        Err((r, allow)) => return respond(r, head, accepts_gzip, allow, true),
    };
    respond(reply, head, accepts_gzip, None, false)
}

type Refusal = (Reply, Option<&'static str>);

async fn answer(req: Request<Incoming>, sh: &Arc<Shared>) -> Result<Reply, Refusal> {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let method = req.method().clone();
    let lengths = req.headers().get_all(header::CONTENT_LENGTH).iter().count();
    if lengths > 1 {
        return Err((
            error_reply(400, "more than one Content-Length header"),
            None,
        ));
    }
    if lengths == 1 && req.headers().contains_key(header::TRANSFER_ENCODING) {
        return Err((
            error_reply(400, "both Content-Length and Transfer-Encoding"),
            None,
        ));
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err((too_large(), None));
    }
    if let Some(allow) = api::allowed_methods(&path) {
        let ok = allow.split(", ").any(|m| m == method.as_str());
        if !ok {
            let msg = if allow == "POST" {
                format!("{path} answers POST (the text or data in the body)")
            } else {
                format!("{path} answers GET")
            };
            return Err((error_reply(405, &msg), Some(allow)));
        }
    }
    // The body, capped while it streams and within its time.
    let limited = Limited::new(req.into_body(), MAX_BODY);
    let body = match tokio::time::timeout(BODY_TIMEOUT, limited.collect()).await {
        Err(_) => {
            return Err((
                error_reply(
                    408,
                    &format!(
                        "the body did not arrive within {} s",
                        BODY_TIMEOUT.as_secs()
                    ),
                ),
                None,
            ));
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return Err((too_large(), None));
        }
        Ok(Err(e)) => return Err((error_reply(400, &format!("reading the body: {e}")), None)),
        Ok(Ok(b)) => b.to_bytes(),
    };
    let deadline = Instant::now() + sh.time_limit;
    if api::is_static(&path) {
        return Ok(reply_of(api::answer(
            &sh.store, &path, &query, &body, deadline,
        )));
    }
    // A computing request: a place in the queue or 503 at once.
    if sh.pending.fetch_add(1, Ordering::SeqCst) >= sh.capacity {
        sh.pending.fetch_sub(1, Ordering::SeqCst);
        return Err((
            error_reply(503, "the server is busy; try again shortly"),
            None,
        ));
    }
    let result = tokio::time::timeout_at(deadline.into(), async {
        let permit = sh.workers.acquire().await;
        let sh2 = Arc::clone(sh);
        let task = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                api::answer(&sh2.store, &path, &query, &body, deadline)
            }))
        });
        // The worker is held until the computation returns, also after a 503: the deadline
        // stops it soon after, and until then no new work starts in its place.
        let out = task.await;
        drop(permit);
        out
    });
    let pending = PendingGuard(Arc::clone(sh));
    let reply = match result.await {
        Ok(Ok(Ok(r))) => reply_of(r),
        Ok(_) => error_reply(500, "internal error"),
        Err(_) => error_reply(
            503,
            &format!(
                "the request took longer than {} s; its work is stopped",
                sh.time_limit.as_secs()
            ),
        ),
    };
    drop(pending);
    Ok(reply)
}

/// Gives the queue place back when the request is answered, also on a timeout.
struct PendingGuard(Arc<Shared>);
impl Drop for PendingGuard {
    fn drop(&mut self) {
        self.0.pending.fetch_sub(1, Ordering::SeqCst);
    }
}

fn respond(
    r: Reply,
    head: bool,
    accepts_gzip: bool,
    allow: Option<&'static str>,
    close: bool,
) -> Response<Full<Bytes>> {
    let mut body = r.body;
    let mut resp = Response::builder()
        .status(StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, r.content_type)
        .header("X-Content-Type-Options", "nosniff")
        .header(header::CACHE_CONTROL, "no-store");
    if r.gzip {
        if accepts_gzip {
            resp = resp.header(header::CONTENT_ENCODING, "gzip");
        } else {
            let mut plain = Vec::new();
            if flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut plain)
                .is_ok()
            {
                body = plain;
            }
        }
    }
    if let Some(a) = allow {
        resp = resp.header(header::ALLOW, HeaderValue::from_static(a));
    }
    if close {
        // A refused request may have left its body unread: the connection ends with it.
        resp = resp.header(header::CONNECTION, "close");
    }
    let len = body.len();
    if head {
        body.clear();
    }
    resp.header(header::CONTENT_LENGTH, len)
        .body(Full::new(Bytes::from(body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}
