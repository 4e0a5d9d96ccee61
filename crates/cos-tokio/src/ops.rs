//! The convenience methods, named like the COS SDKs' calls: one line each over
//! [`Client::send`], declared once for both clients by
//! [`cos_transfer::operation_methods!`].

use cos_proto::ops::{AppendObject, AppendObjectOutput};
use cos_transfer::drive;

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::ObjectBody;
use crate::error::Error;
use crate::pages::Pages;

impl Client {
    cos_transfer::operation_methods!([async] [.await] ::std::convert::identity [+ Send]);

    /// APPEND Object. Never sent twice (the append could land twice): when its answer
    /// is lost, a HEAD says whether it landed.
    pub async fn append_object(
        &self,
        op: &AppendObject,
        body: impl Into<UploadBody>,
    ) -> Result<AppendObjectOutput, Error> {
        drive::append_object(&self.driver(), op, body.into()).await
    }
}
