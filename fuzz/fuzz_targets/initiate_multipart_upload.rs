#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cos_fuzz::xml::initiate_multipart_upload(data);
});
