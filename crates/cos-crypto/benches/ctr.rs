//! AES-256-CTR throughput over 1 MiB: one call at offset 0, and the same bytes through a
//! stream in 64 KiB chunks (how a driver feeds a body).
#![allow(missing_docs)]

use std::hint::black_box;

use cos_crypto::{ContentKey, CtrCipher, Iv};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn ctr(c: &mut Criterion) {
    let cipher = CtrCipher::new(&ContentKey::from_bytes([7; 32]), &Iv::from_bytes([9; 16]));
    let mut buf = vec![0u8; 1 << 20];
    let mut group = c.benchmark_group("aes-256-ctr");
    group.throughput(Throughput::Bytes(buf.len() as u64));
    group.bench_function("1 MiB in one call", |b| {
        b.iter(|| {
            cipher
                .apply_at(black_box(0), black_box(&mut buf))
                .expect("fits")
        })
    });
    group.bench_function("1 MiB in 64 KiB chunks at offset 5", |b| {
        b.iter(|| {
            let mut stream = cipher.stream_at(black_box(5)).expect("fits");
            for chunk in buf.chunks_mut(64 << 10) {
                stream.apply(chunk).expect("fits");
            }
        })
    });
    group.finish();
}

criterion_group!(benches, ctr);
criterion_main!(benches);
