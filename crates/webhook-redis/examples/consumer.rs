//! A worker reading the events `RedisStreamSink` appended, with a consumer group: each entry
//! goes to one worker of the group, and stays pending (to be claimed again) until acknowledged.
//!
//! Run with
//!
//! ```not_rust
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p webhook-redis --example consumer
//! ```
//!
//! It reads the stream `webhooks` as consumer `worker-1` of group `workers`, prints each event
//! and acknowledges it with `XACK` after it was handled. It stops after 5 seconds without a new
//! entry.

use std::collections::HashMap;
use std::error::Error;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, RedisError, Value};

const STREAM: &str = "webhooks";
const GROUP: &str = "workers";
const CONSUMER: &str = "worker-1";

/// One stream entry: its id and its fields.
type Entry = (String, HashMap<String, Vec<u8>>);

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    // The client's default response timeout is shorter than the 5 s XREADGROUP BLOCK.
    let config = AsyncConnectionConfig::new().set_response_timeout(Duration::from_secs(10));
    let mut connection = redis::Client::open(url)?
        .get_multiplexed_async_connection_with_config(&config)
        .await?;
    create_group(&mut connection).await?;
    // First the entries this consumer read before but never acknowledged (a crash between
    // reading and XACK), then new ones (`>`).
    let mut from = "0";
    loop {
        let entries = read(&mut connection, from).await?;
        if entries.is_empty() {
            if from == ">" {
                println!("no new event for 5 s; stopping");
                return Ok(());
            }
            from = ">";
            continue;
        }
        for (entry_id, fields) in entries {
            handle(&entry_id, &fields);
            // Acknowledge only after handling: an event whose worker crashed stays pending.
            let _: i64 = redis::cmd("XACK")
                .arg(STREAM)
                .arg(GROUP)
                .arg(&entry_id)
                .query_async(&mut connection)
                .await?;
        }
    }
}

/// Creates the group (and the stream) unless it exists.
async fn create_group(connection: &mut MultiplexedConnection) -> Result<(), RedisError> {
    let created: Result<(), RedisError> = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(STREAM)
        .arg(GROUP)
        .arg("0")
        .arg("MKSTREAM")
        .query_async(connection)
        .await;
    match created {
        Err(error) if error.code() == Some("BUSYGROUP") => Ok(()),
        other => other,
    }
}

/// Up to 10 entries after `from` for this consumer, waiting up to 5 s for new ones.
async fn read(
    connection: &mut MultiplexedConnection,
    from: &str,
) -> Result<Vec<Entry>, RedisError> {
    let reply: Value = redis::cmd("XREADGROUP")
        .arg("GROUP")
        .arg(GROUP)
        .arg(CONSUMER)
        .arg("COUNT")
        .arg(10)
        .arg("BLOCK")
        .arg(5_000)
        .arg("STREAMS")
        .arg(STREAM)
        .arg(from)
        .query_async(connection)
        .await?;
    if matches!(reply, Value::Nil) {
        return Ok(Vec::new());
    }
    // Reply: [[stream, [[entry id, [field, value, …]], …]]].
    let streams: Vec<(String, Vec<Entry>)> = redis::from_redis_value(&reply)?;
    Ok(streams
        .into_iter()
        .flat_map(|(_stream, entries)| entries)
        .collect())
}

fn handle(entry_id: &str, fields: &HashMap<String, Vec<u8>>) {
    let text = |name: &str| {
        fields
            .get(name)
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    };
    let body_len = fields.get("body").map_or(0, Vec::len);
    println!(
        "{entry_id}: {} event {} ({} bytes of {})",
        text("provider"),
        text("id"),
        body_len,
        text("content_type"),
    );
}
