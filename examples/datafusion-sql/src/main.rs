//! SQL over `cos://` URLs with Apache DataFusion: `cargo xtask datafusion-demo`.
//!
//! It starts an embedded COS emulator in this process, builds a `CosObjectStore` on its
//! bucket and registers it in a DataFusion `SessionContext` for
//! `cos://examplebucket-1250000000/`. Through the store it writes a CSV file of taxi
//! trips and a Parquet file of cities (written with Arrow's `ArrowWriter`), then runs SQL
//! over the `cos://` URLs: external tables on both files, an aggregation, a query over
//! the Parquet table, a join of the two, and a `COPY ... TO 'cos://...' STORED AS
//! PARQUET` read back with SQL. At the end it lists what the bucket holds.
//!
//! It needs nothing but the Rust toolchain. It is not a member of the workspace (DataFusion
//! builds for a long time), so CI leaves it out; `cargo xtask datafusion-demo` builds it
//! in `target/datafusion-demo` and runs it.
#![forbid(unsafe_code)]

use std::error::Error;
use std::fmt::Write as _;
use std::sync::Arc;

use cos_emulator::{Emulator, EmulatorConfig};
use cos_object_store::object_store::path::Path;
use cos_object_store::object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use cos_object_store::{CosObjectStore, CosObjectStoreBuilder};
use datafusion::arrow::array::{Float64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::SessionContext;
use futures_util::TryStreamExt;
use url::Url;

type BoxError = Box<dyn Error + Send + Sync>;

const BUCKET: &str = "examplebucket-1250000000";
const BASE: &str = "cos://examplebucket-1250000000/";

fn main() -> Result<(), BoxError> {
    // The emulator serves on a runtime of its own: start it before the demo's runtime.
    let emulator = Emulator::start(EmulatorConfig::new().bucket(BUCKET, false))?;
    println!(
        "== A COS emulator at {} with bucket {BUCKET}",
        emulator.endpoint()
    );
    let store = CosObjectStoreBuilder::new()
        .with_bucket(BUCKET)
        .with_region("ap-guangzhou")
        .with_path_style_endpoint(emulator.authority())
        .with_credentials(emulator.credentials().clone())
        .build()?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(demo(Arc::new(store)));
    if let Err(err) = &result {
        println!("\nThe demo failed: {err}");
    }
    result
}

async fn demo(store: Arc<CosObjectStore>) -> Result<(), BoxError> {
    let ctx = SessionContext::new();
    ctx.register_object_store(&Url::parse(BASE)?, store.clone());
    println!("== CosObjectStore registered in a DataFusion SessionContext for {BASE}");

    heading("Objects written through the store");
    let trips = trips_csv();
    let rows = trips.lines().count() - 1;
    put(&store, "data/trips.csv", trips.into_bytes()).await?;
    println!("data/trips.csv: {rows} trips (CSV with a header row)");
    put(&store, "data/cities.parquet", cities_parquet()?).await?;
    println!("data/cities.parquet: {} cities (Parquet)", CITIES.len());

    sql(
        &ctx,
        "An external table on a CSV object (schema inferred from the file)",
        &format!(
            "CREATE EXTERNAL TABLE trips STORED AS CSV LOCATION '{BASE}data/trips.csv' \
             OPTIONS ('format.has_header' 'true')"
        ),
    )
    .await?;
    sql(&ctx, "The schema DataFusion inferred", "DESCRIBE trips").await?;
    sql(&ctx, "Its first rows", "SELECT * FROM trips LIMIT 5").await?;
    sql(
        &ctx,
        "Trips per city",
        "SELECT city, COUNT(*) AS trips, ROUND(SUM(distance_km), 1) AS total_km, \
                ROUND(AVG(fare_cny), 2) AS avg_fare_cny \
         FROM trips GROUP BY city ORDER BY trips DESC, city",
    )
    .await?;

    sql(
        &ctx,
        "An external table on a Parquet object",
        &format!(
            "CREATE EXTERNAL TABLE cities STORED AS PARQUET LOCATION '{BASE}data/cities.parquet'"
        ),
    )
    .await?;
    sql(
        &ctx,
        "Cities of more than 15 million people",
        "SELECT city, province, population_m FROM cities \
         WHERE population_m > 15 ORDER BY population_m DESC",
    )
    .await?;

    let per_province = "SELECT c.province, COUNT(*) AS trips, \
                ROUND(SUM(t.fare_cny), 2) AS revenue_cny, \
                ROUND(SUM(t.fare_cny) / SUM(t.distance_km), 2) AS cny_per_km, \
                COUNT(DISTINCT c.city) AS cities \
         FROM trips t JOIN cities c ON t.city = c.city \
         GROUP BY c.province ORDER BY revenue_cny DESC";
    sql(
        &ctx,
        "CSV joined with Parquet: trips per province",
        per_province,
    )
    .await?;

    sql(
        &ctx,
        "COPY a query's result to a new Parquet object",
        &format!("COPY ({per_province}) TO '{BASE}out/summary.parquet' STORED AS PARQUET"),
    )
    .await?;
    sql(
        &ctx,
        "And read it back",
        &format!(
            "CREATE EXTERNAL TABLE summary STORED AS PARQUET LOCATION '{BASE}out/summary.parquet'"
        ),
    )
    .await?;
    sql(
        &ctx,
        "The provinces with more than 5 trips, from out/summary.parquet",
        "SELECT province, trips, revenue_cny FROM summary WHERE trips > 5 ORDER BY province",
    )
    .await?;

    heading(&format!("What the bucket holds ({BASE})"));
    let mut objects: Vec<_> = store.list(None).try_collect().await?;
    objects.sort_by(|a, b| a.location.cmp(&b.location));
    for object in &objects {
        println!("{:>8} bytes  {}", object.size, object.location);
    }
    Ok(())
}

fn heading(text: &str) {
    println!("\n== {text}");
}

/// Prints `heading` and `query`, runs the query and prints its result.
async fn sql(ctx: &SessionContext, heading_text: &str, query: &str) -> Result<(), BoxError> {
    heading(heading_text);
    println!("{query}");
    let batches = ctx.sql(query).await?.collect().await?;
    if batches.iter().any(|batch| batch.num_rows() > 0) {
        println!("{}", pretty_format_batches(&batches)?);
    }
    Ok(())
}

async fn put(store: &CosObjectStore, key: &str, bytes: Vec<u8>) -> Result<(), BoxError> {
    store.put(&Path::from(key), PutPayload::from(bytes)).await?;
    Ok(())
}

/// (city, province, population in millions).
const CITIES: [(&str, &str, f64); 8] = [
    ("Guangzhou", "Guangdong", 18.8),
    ("Shenzhen", "Guangdong", 17.8),
    ("Foshan", "Guangdong", 9.6),
    ("Shanghai", "Shanghai", 24.8),
    ("Beijing", "Beijing", 21.9),
    ("Chengdu", "Sichuan", 21.4),
    ("Hangzhou", "Zhejiang", 12.5),
    ("Ningbo", "Zhejiang", 9.7),
];

/// A few dozen taxi trips, the same on every run: trip_id, city, distance_km, fare_cny,
/// passengers.
fn trips_csv() -> String {
    let mut csv = String::from("trip_id,city,distance_km,fare_cny,passengers\n");
    for i in 0..48_u32 {
        // A fixed spread over the cities, Guangzhou and Shanghai the busiest.
        let city = CITIES[[0, 3, 1, 0, 4, 3, 5, 2, 6, 0, 3, 7][(i % 12) as usize]].0;
        let distance_km = 1.5 + f64::from((i * 37) % 23) * 0.9;
        let fare_cny = 12.0 + (distance_km - 2.0).max(0.0) * 2.6;
        let passengers = 1 + (i * 7) % 4;
        // Writing to a String cannot fail.
        let _ = writeln!(
            csv,
            "{},{city},{distance_km:.1},{fare_cny:.2},{passengers}",
            1001 + i
        );
    }
    csv
}

/// The cities as one Parquet file, written by Arrow's `ArrowWriter` into memory.
fn cities_parquet() -> Result<Vec<u8>, BoxError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("city", DataType::Utf8, false),
        Field::new("province", DataType::Utf8, false),
        Field::new("population_m", DataType::Float64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(CITIES.iter().map(|c| c.0))),
            Arc::new(StringArray::from_iter_values(CITIES.iter().map(|c| c.1))),
            Arc::new(Float64Array::from_iter_values(CITIES.iter().map(|c| c.2))),
        ],
    )?;
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, None)?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(bytes)
}
