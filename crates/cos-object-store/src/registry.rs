//! [`CosObjectStoreRegistry`]: an [`ObjectStoreRegistry`] that resolves `cos://` and
//! `cosn://` URLs, building one store per bucket the first time a URL names it.

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::path::Path;
use object_store::registry::{DefaultObjectStoreRegistry, ObjectStoreRegistry};
use url::Url;

use crate::builder::{CosObjectStoreBuilder, SCHEMES};

/// Resolves `cos://bucket-appid/key` and `cosn://bucket-appid/key` URLs to a
/// [`CosObjectStore`](crate::CosObjectStore) on that bucket and the key as a [`Path`];
/// every other URL, and every store registered by hand, goes to an inner registry.
///
/// The store of a bucket is built from the template builder (its region, credentials,
/// endpoint and client options; its bucket and prefix replaced by the URL's) when a URL
/// first names the bucket, then reused. A store registered for a URL (a bucket, or a
/// prefix of one) wins over the built one for the URLs under it, as in
/// [`DefaultObjectStoreRegistry`].
///
/// ```
/// use cos_object_store::{CosObjectStoreBuilder, CosObjectStoreRegistry};
/// use object_store::registry::ObjectStoreRegistry;
///
/// let registry = CosObjectStoreRegistry::new(
///     CosObjectStoreBuilder::new().with_region("ap-guangzhou").with_anonymous(),
/// );
/// let url = url::Url::parse("cos://examplebucket-1250000000/tables/t1/part-0.parquet")?;
/// let (store, path) = registry.resolve(&url)?;
/// assert_eq!(path.as_ref(), "tables/t1/part-0.parquet");
/// assert_eq!(store.to_string(), "CosObjectStore(examplebucket-1250000000/)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct CosObjectStoreRegistry {
    template: CosObjectStoreBuilder,
    inner: Arc<dyn ObjectStoreRegistry>,
}

impl CosObjectStoreRegistry {
    /// A registry building COS stores from `template`, other URLs resolved by a
    /// [`DefaultObjectStoreRegistry`].
    pub fn new(template: CosObjectStoreBuilder) -> Self {
        Self::with_inner(template, Arc::new(DefaultObjectStoreRegistry::new()))
    }

    /// A registry building COS stores from `template`, other URLs resolved by `inner`
    /// (which also keeps the COS stores once built).
    pub fn with_inner(
        template: CosObjectStoreBuilder,
        inner: Arc<dyn ObjectStoreRegistry>,
    ) -> Self {
        Self { template, inner }
    }
}

impl ObjectStoreRegistry for CosObjectStoreRegistry {
    fn register(&self, url: Url, store: Arc<dyn ObjectStore>) -> Option<Arc<dyn ObjectStore>> {
        self.inner.register(url, store)
    }

    fn resolve(&self, url: &Url) -> object_store::Result<(Arc<dyn ObjectStore>, Path)> {
        let resolved = self.inner.resolve(url);
        if resolved.is_ok() || !SCHEMES.contains(&url.scheme()) {
            return resolved;
        }
        // The bucket's URL keeps the query: its options (the region...) build the store.
        let mut bucket_url = url.clone();
        bucket_url.set_path("");
        bucket_url.set_fragment(None);
        let store = self
            .template
            .clone()
            .with_parsed_url(&bucket_url)?
            .build()?;
        // Two threads resolving the same new bucket both build; the later registration
        // wins and both stores work, so no lock is held while building.
        self.inner.register(bucket_url, Arc::new(store));
        self.inner.resolve(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;

    fn registry() -> CosObjectStoreRegistry {
        CosObjectStoreRegistry::new(
            CosObjectStoreBuilder::new()
                .with_region("ap-guangzhou")
                .with_anonymous(),
        )
    }

    fn resolve(registry: &CosObjectStoreRegistry, url: &str) -> (Arc<dyn ObjectStore>, Path) {
        registry
            .resolve(&Url::parse(url).expect("url"))
            .expect("resolves")
    }

    #[test]
    fn one_store_per_bucket_with_the_key_as_path() {
        let registry = registry();
        let (first, path) = resolve(&registry, "cos://examplebucket-1250000000/a/b.csv");
        assert_eq!(path.as_ref(), "a/b.csv");
        assert_eq!(
            first.to_string(),
            "CosObjectStore(examplebucket-1250000000/)"
        );
        let (again, path) = resolve(&registry, "cos://examplebucket-1250000000/d");
        assert!(Arc::ptr_eq(&first, &again), "the bucket's store is reused");
        assert_eq!(path.as_ref(), "d");
        let (other, _) = resolve(&registry, "cosn://otherbucket-1250000000/d");
        assert_eq!(other.to_string(), "CosObjectStore(otherbucket-1250000000/)");
        assert!(!Arc::ptr_eq(&first, &other));
    }

    #[test]
    fn registered_stores_and_other_schemes_go_to_the_inner_registry() {
        let registry = registry();
        let memory: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let prefix = Url::parse("cos://examplebucket-1250000000/mounted").expect("url");
        assert!(registry.register(prefix, Arc::clone(&memory)).is_none());
        let (store, path) = resolve(&registry, "cos://examplebucket-1250000000/mounted/x");
        assert!(Arc::ptr_eq(&store, &memory), "the registered store wins");
        assert_eq!(path.as_ref(), "x");
        let (store, path) = resolve(&registry, "cos://examplebucket-1250000000/elsewhere/x");
        assert_eq!(
            store.to_string(),
            "CosObjectStore(examplebucket-1250000000/)"
        );
        assert_eq!(path.as_ref(), "elsewhere/x");

        let unknown = registry.resolve(&Url::parse("s4://bucket/x").expect("url"));
        assert!(unknown.is_err(), "a scheme nobody knows is not resolved");
        let no_region = CosObjectStoreRegistry::new(CosObjectStoreBuilder::new().with_anonymous())
            .resolve(&Url::parse("cos://examplebucket-1250000000/x").expect("url"));
        assert!(
            no_region.is_err(),
            "a builder error is returned, not a panic"
        );
        let with_region = CosObjectStoreRegistry::new(
            CosObjectStoreBuilder::new().with_anonymous(),
        )
        .resolve(&Url::parse("cos://examplebucket-1250000000/x?region=ap-beijing").expect("url"));
        assert!(
            with_region.is_ok(),
            "the region may come from the URL's query"
        );
    }
}
