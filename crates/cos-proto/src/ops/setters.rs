//! Setter methods shared by operations that embed the same header groups.

/// Setters for a [`crate::headers::ContentHeaders`] field.
macro_rules! content_setters {
    ($field:ident) => {
        /// Sets `Content-Type`.
        pub fn content_type(mut self, value: impl Into<String>) -> Self {
            self.$field.content_type = Some(value.into());
            self
        }
        /// Sets `Cache-Control`.
        pub fn cache_control(mut self, value: impl Into<String>) -> Self {
            self.$field.cache_control = Some(value.into());
            self
        }
        /// Sets `Content-Disposition`.
        pub fn content_disposition(mut self, value: impl Into<String>) -> Self {
            self.$field.content_disposition = Some(value.into());
            self
        }
        /// Sets `Content-Encoding`.
        pub fn content_encoding(mut self, value: impl Into<String>) -> Self {
            self.$field.content_encoding = Some(value.into());
            self
        }
        /// Sets `Content-Language`.
        pub fn content_language(mut self, value: impl Into<String>) -> Self {
            self.$field.content_language = Some(value.into());
            self
        }
        /// Sets `Expires`.
        pub fn expires(mut self, value: impl Into<String>) -> Self {
            self.$field.expires = Some(value.into());
            self
        }
    };
}

/// Setter for a [`crate::headers::Metadata`] field.
macro_rules! metadata_setters {
    ($field:ident) => {
        /// Adds user metadata; `name` must start with `x-cos-meta-` (checked when the
        /// request is built).
        pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.$field.push(name, value);
            self
        }
    };
}

/// Setters for an [`crate::headers::AclHeaders`] field.
macro_rules! acl_setters {
    ($field:ident) => {
        /// Sets the canned ACL (`x-cos-acl`: `private`, `public-read`, `default`).
        pub fn acl(mut self, value: impl Into<String>) -> Self {
            self.$field.acl = Some(value.into());
            self
        }
        /// Sets `x-cos-grant-read` (`id="qcs::cam::uin/<uin>:uin/<uin>"`, comma-separated).
        pub fn grant_read(mut self, value: impl Into<String>) -> Self {
            self.$field.grant_read = Some(value.into());
            self
        }
        /// Sets `x-cos-grant-write`.
        pub fn grant_write(mut self, value: impl Into<String>) -> Self {
            self.$field.grant_write = Some(value.into());
            self
        }
        /// Sets `x-cos-grant-read-acp`.
        pub fn grant_read_acp(mut self, value: impl Into<String>) -> Self {
            self.$field.grant_read_acp = Some(value.into());
            self
        }
        /// Sets `x-cos-grant-write-acp`.
        pub fn grant_write_acp(mut self, value: impl Into<String>) -> Self {
            self.$field.grant_write_acp = Some(value.into());
            self
        }
        /// Sets `x-cos-grant-full-control`.
        pub fn grant_full_control(mut self, value: impl Into<String>) -> Self {
            self.$field.grant_full_control = Some(value.into());
            self
        }
    };
}

/// `header` and `param`: the caller's extra headers and query parameters (an
/// [`crate::ops::Extras`] field), on every operation.
macro_rules! extras_setters {
    ($field:ident) => {
        /// Adds a header no typed setter covers (the official SDK's free-form headers:
        /// `Content-Type` on a CompleteMultipartUpload, a header of a new COS feature).
        /// It replaces a header of the same name the operation sets, and is signed when
        /// COS signs it ([`crate::sign::is_signed_header`]). `Host`, `Content-Length`,
        /// `Transfer-Encoding` and `Authorization` are refused, and names and values are
        /// checked, when the request is built.
        pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.$field.push_header(name.into(), value.into());
            self
        }
        /// Adds a query parameter, signed like the operation's own (any name but an
        /// empty one, any value). One whose name, percent-encoded and lower-cased,
        /// equals a parameter already present (`VersionId` after `versionId`) replaces
        /// it in place.
        pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
            self.$field.push_param(name.into(), value.into());
            self
        }
    };
}

/// `if_match`, `if_none_match`, `if_modified_since`, `if_unmodified_since` on an
/// operation whose conditions go out as extra headers (an [`crate::ops::Extras`] field):
/// the listings, which the official SDK lets its callers make conditional.
macro_rules! condition_setters {
    ($field:ident) => {
        /// Sends `If-Match`: COS answers `412` unless the resource's ETag matches.
        pub fn if_match(mut self, etag: impl Into<String>) -> Self {
            self.$field.push_header("If-Match".to_owned(), etag.into());
            self
        }
        /// Sends `If-None-Match`: COS answers `304` ([`crate::Error::NotModified`]) if
        /// the resource's ETag matches.
        pub fn if_none_match(mut self, etag: impl Into<String>) -> Self {
            self.$field
                .push_header("If-None-Match".to_owned(), etag.into());
            self
        }
        /// Sends `If-Modified-Since` (an HTTP date): COS answers `304`
        /// ([`crate::Error::NotModified`]) unless modified after it.
        pub fn if_modified_since(mut self, date: impl Into<String>) -> Self {
            self.$field
                .push_header("If-Modified-Since".to_owned(), date.into());
            self
        }
        /// Sends `If-Unmodified-Since` (an HTTP date): COS answers `412` if modified
        /// after it.
        pub fn if_unmodified_since(mut self, date: impl Into<String>) -> Self {
            self.$field
                .push_header("If-Unmodified-Since".to_owned(), date.into());
            self
        }
    };
}

/// `keep_url_encoding` on a listing (a `Decoding` field).
macro_rules! decoding_setters {
    ($field:ident) => {
        /// Keeps keys, prefixes and markers as COS sent them, percent-encoded
        /// (`encoding-type=url` is always asked for): the official SDK's result when its
        /// caller sets `EncodingType='url'`. By default they are decoded.
        pub fn keep_url_encoding(mut self, keep: bool) -> Self {
            self.$field = if keep {
                Decoding::KeepEncoded
            } else {
                Decoding::Decoded
            };
            self
        }
    };
}

pub(crate) use {
    acl_setters, condition_setters, content_setters, decoding_setters, extras_setters,
    metadata_setters,
};
