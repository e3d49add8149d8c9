//! The server's limits over real HTTP: requests that would crash, stall or pile up work.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::serve::{Server, http, start, start_with};

/// The raw response to raw request bytes (read until the server closes or 10 s pass).
fn raw(s: &Server, req: &[u8]) -> String {
    let mut c = TcpStream::connect(&s.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = c.write_all(req);
    let mut out = Vec::new();
    let _ = c.read_to_end(&mut out);
    String::from_utf8_lossy(&out).to_string()
}

fn health(s: &Server) -> u16 {
    http(s, "GET", "/api/health", b"", "").0
}

/// A declared length of 100 GB is refused from the header, without allocating it; the server
/// lives on. Duplicate lengths and a huge header are refused too, and 405 names the methods.
#[test]
fn oversized_and_malformed_requests_are_refused_and_the_server_lives() {
    let s = start();
    let r = raw(
        &s,
        b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\nhello",
    );
    assert!(r.starts_with("HTTP/1.1 413"), "{r}");
    assert_eq!(health(&s), 200);
    // A chunked body past the limit is counted while it streams.
    let mut req =
        b"POST /api/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..6 {
        req.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        req.extend_from_slice(&chunk);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    let r = raw(&s, &req);
    assert!(r.starts_with("HTTP/1.1 413"), "{}", &r[..r.len().min(200)]);
    // Two lengths that disagree (a request-smuggling vector) are refused; equal ones are one
    // length (RFC 9112, section 6.3).
    let r = raw(
        &s,
        b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
    );
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    let r = raw(
        &s,
        b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    // A 200 kB header is refused (431), not held.
    let mut big = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 200_000));
    big.extend_from_slice(b"\r\n\r\n");
    let r = raw(&s, &big);
    assert!(r.starts_with("HTTP/1.1 431"), "{}", &r[..r.len().min(200)]);
    let r = raw(
        &s,
        b"DELETE /api/trade HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(r.starts_with("HTTP/1.1 405"), "{r}");
    assert!(r.to_ascii_lowercase().contains("allow: get, head"), "{r}");
    let r = raw(
        &s,
        b"GET /api/check HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(r.to_ascii_lowercase().contains("allow: post"), "{r}");
    assert_eq!(health(&s), 200);
}

/// Sixteen clients that declare a body and never send it hold no worker: the health check and
/// a computing request are answered meanwhile.
#[test]
fn slow_bodies_do_not_stall_the_server() {
    let s = start_with(&["--threads", "2"]);
    let mut held = Vec::new();
    for _ in 0..16 {
        let mut c = TcpStream::connect(&s.addr).unwrap();
        c.write_all(b"POST /api/check HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nTrade")
            .unwrap();
        held.push(c);
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(health(&s), 200);
    let (st, body) = http(
        &s,
        "GET",
        "/api/trade?reporter=EU27&partner=KGZ&period=2023",
        b"",
        "",
    );
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
    drop(held);
}

/// CPU time of a process (user + system), in clock ticks, from /proc.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // fields 14 and 15 of the line (utime, stime) are 12 and 13 after the name
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

/// A request past its time limit is answered 503 and its work stops: the process's CPU use
/// falls back to idle within a second of the answer.
#[cfg(target_os = "linux")]
#[test]
fn a_request_past_its_limit_stops_its_work() {
    let s = start_with(&["--time-limit", "1"]);
    // About 1 MB of claims checked against the store: far more than a second of work. The
    // questions differ (partner and year), since the check asks each distinct one only once.
    let partners = [
        "Kyrgyzstan",
        "Kazakhstan",
        "Armenia",
        "Uzbekistan",
        "Georgia",
        "Azerbaijan",
        "Tajikistan",
        "Belarus",
        "Turkey",
        "China",
    ];
    let block: String = partners
        .iter()
        .flat_map(|p| {
            (2002..=2024)
                .map(move |y| format!("EU exports to {p} rose to 1.3 billion euros in {y}. "))
        })
        .collect();
    let text = block.repeat((1 << 20) / block.len() + 1);
    let (st, body) = http(&s, "POST", "/api/check", text.as_bytes(), "");
    assert_eq!(st, 503, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("stopped"));
    std::thread::sleep(Duration::from_millis(1000));
    let a = cpu_ticks(s.pid());
    std::thread::sleep(Duration::from_millis(1500));
    let b = cpu_ticks(s.pid());
    // clock ticks are 1/100 s: less than a fifth of one core over 1.5 s
    assert!(
        b - a < 30,
        "the server used {} ticks of CPU after its 503",
        b - a
    );
    assert_eq!(health(&s), 200);
}

/// SIGTERM: the server stops accepting, finishes what it has and exits with success.
#[cfg(unix)]
#[test]
fn sigterm_shuts_down_cleanly() {
    let mut s = start();
    assert_eq!(health(&s), 200);
    let st = std::process::Command::new("kill")
        .args(["-TERM", &s.pid().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let mut waited = 0;
    let code = loop {
        if let Some(c) = s.try_wait() {
            break c;
        }
        assert!(waited < 150, "still running 15 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    };
    assert!(code.success(), "{code:?}");
    assert!(TcpStream::connect(&s.addr).is_err(), "still accepting");
}

/// The API description states what the server enforces: enums for closed lists, minimum lengths
/// where an empty value is refused (and it is), the 503 of the time limit and the queue, 413 and
/// 408 for bodies.
#[test]
fn openapi_states_the_limits_the_server_enforces() {
    let s = start();
    let (st, body) = http(&s, "GET", "/api/openapi.json", b"", "");
    assert_eq!(st, 200);
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut with_min = 0;
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            if path != "/api/health" {
                assert!(responses.contains_key("503"), "{method} {path}: no 503");
            }
            if method == "post" {
                for code in ["408", "413"] {
                    assert!(responses.contains_key(code), "{path}: no {code}");
                }
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let schema = &p["schema"];
                if ["flow", "side", "freq", "family", "scenario"].contains(&name) {
                    assert!(schema["enum"].is_array(), "{path} {name}: no enum");
                }
                if schema["minLength"].as_u64() == Some(1) && method == "get" {
                    with_min += 1;
                    let (st, b) = http(&s, "GET", &format!("{path}?{name}="), b"", "");
                    assert!(
                        (400..500).contains(&st),
                        "{path} {name}= answered {st}: {}",
                        String::from_utf8_lossy(&b)
                    );
                }
            }
        }
    }
    assert!(
        with_min >= 10,
        "{with_min} parameters with a minimum length"
    );
}
