#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cos_fuzz::crypto::encryption_envelope(data);
});
