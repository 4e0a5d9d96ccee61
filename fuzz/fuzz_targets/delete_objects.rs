#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cos_fuzz::xml::delete_objects(data);
});
