//! The convenience methods, named like the COS SDKs' calls: one line each over
//! [`Client::send`], declared once for both clients by
//! [`cos_transfer::operation_methods!`]; the streamed operations and presigning.

use std::path::Path;

use cos_proto::ops::{
    AppendObject, AppendObjectOutput, GetObject, GetObjectOutput, SelectObjectContent,
};
use cos_proto::presign::Presign;
use cos_transfer::drive::{self, unix_now};

use crate::body::UploadBody;
use crate::client::Client;
use crate::download::{self, ObjectBody};
use crate::error::Error;
use crate::pages::Pages;
use crate::select::SelectEvents;

impl Client {
    cos_transfer::operation_methods!(,);

    /// APPEND Object. Never sent twice (the append could land twice): when its answer
    /// is lost, a HEAD says whether it landed.
    pub fn append_object(
        &self,
        op: &AppendObject,
        body: impl Into<UploadBody>,
    ) -> Result<AppendObjectOutput, Error> {
        pollster::block_on(drive::append_object(&self.driver(), op, body.into()))
    }

    /// Starts a download: the response's headers, and the data as an [`ObjectBody`]
    /// (`std::io::Read`, or [`ObjectBody::chunks`]) that resumes broken transfers.
    pub fn get_object(&self, op: &GetObject) -> Result<(GetObjectOutput, ObjectBody), Error> {
        let (output, body) = self.execute(op, &mut UploadBody::empty())?;
        let (body, started) = body.ok_or(Error::Unsupported("a download without a body"))?;
        let reader = ObjectBody::new(self.clone(), op, &output, body, started);
        Ok((output, reader))
    }

    /// Downloads into `path` atomically (temporary file beside it, fsync, rename), with
    /// the length and, for whole objects, the CRC-64 checked.
    pub fn get_object_to_file(
        &self,
        op: &GetObject,
        path: impl AsRef<Path>,
    ) -> Result<GetObjectOutput, Error> {
        download::to_file(self, op, path.as_ref())
    }

    /// Runs a Select query; the events are decoded as they arrive.
    pub fn select_object_content(&self, op: &SelectObjectContent) -> Result<SelectEvents, Error> {
        let (output, body) = self.execute(op, &mut UploadBody::empty())?;
        let (body, _) = body.ok_or(Error::Unsupported("a Select answer without a body"))?;
        Ok(SelectEvents::new(body, &output))
    }

    /// A presigned URL, signed now with the client's credentials.
    pub fn presigned_url(&self, presign: &Presign) -> Result<String, Error> {
        let credentials = self.credentials()?.ok_or_else(|| {
            Error::Credentials("an anonymous client cannot presign URLs".to_owned())
        })?;
        Ok(presign.url(self.config(), &credentials, unix_now())?)
    }
}
