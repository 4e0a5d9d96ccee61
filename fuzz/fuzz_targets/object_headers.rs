#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cos_fuzz::headers::object_headers(data);
});
