//! The convenience methods, named like the COS SDKs' calls: one line each over
//! [`Client::send`], declared once for both clients by
//! [`cos_transfer::operation_methods!`]; APPEND (never repeated) and Select.

use cos_proto::ops::{AppendObject, AppendObjectOutput, SelectObjectContent};
use cos_transfer::drive;

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::ObjectBody;
use crate::error::Error;
use crate::pages::Pages;
use crate::select::SelectEvents;

impl Client {
    cos_transfer::operation_methods!([] [] ::pollster::block_on []);

    /// APPEND Object. Never sent twice (the append could land twice): when its answer
    /// is lost, a HEAD says whether it landed.
    pub fn append_object(
        &self,
        op: &AppendObject,
        body: impl Into<UploadBody>,
    ) -> Result<AppendObjectOutput, Error> {
        pollster::block_on(drive::append_object(&self.driver(), op, body.into()))
    }

    /// Runs a Select query; the events are decoded as they arrive.
    pub fn select_object_content(&self, op: &SelectObjectContent) -> Result<SelectEvents, Error> {
        let (output, body) = self.execute(op, &mut UploadBody::empty())?;
        let (body, _) = body.ok_or(Error::Unsupported("a Select answer without a body"))?;
        Ok(SelectEvents::new(body, &output))
    }
}
