#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cos_fuzz::sign::sign_request(data);
});
